// The registry as a browser sees it: resolve a remote with its signed release, each request
// under a deadline, every failure a coded error.
import { ModmeshError } from '@modmesh/manifest/web';

export interface Resolved {
  name: string;
  version: string;
  tag?: { name: string; seq: number; updatedAt: string; kind: 'move' | 'rollback' };
  release: unknown;
}

export interface BrowserRegistry {
  readonly url: string;
  resolve(name: string, spec: string, deadlineMs: number): Promise<Resolved>;
  /** The URL a release file is served at (and the key of its integrity). */
  fileUrl(name: string, version: string, path: string): string;
  report(body: unknown): Promise<void>;
}

export function createBrowserRegistry(base: string, token: string | undefined): BrowserRegistry {
  const root = new URL(base.endsWith('/') ? base : `${base}/`);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const segments = (...parts: string[]): string => parts.map(encodeURIComponent).join('/');

  return {
    url: root.href,
    async resolve(name, spec, deadlineMs) {
      const url = new URL(`v1/remotes/${segments(name, 'resolve', spec)}?include=release`, root).href;
      const body = await getJson(url, headers, deadlineMs, name);
      const answer = body as Partial<Resolved> | null;
      if (!answer || typeof answer.version !== 'string' || !answer.release) {
        throw new ModmeshError('MODMESH_REMOTE_MANIFEST_INVALID', `${name}@${spec}: the registry's answer has no version and release`, { remote: name });
      }
      return answer as Resolved;
    },
    fileUrl(name, version, path) {
      return new URL(`v1/remotes/${segments(name, 'releases', version, 'files')}/${path.split('/').map(encodeURIComponent).join('/')}`, root).href;
    },
    async report(body) {
      await fetch(new URL('v1/consumers', root).href, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        keepalive: true,
      });
    },
  };
}

// --- internal ---

async function getJson(url: string, headers: Record<string, string>, deadlineMs: number, remote: string): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deadlineMs);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: controller.signal, credentials: 'omit' });
  } catch (cause) {
    clearTimeout(timer);
    if (controller.signal.aborted)
      throw new ModmeshError('MODMESH_REMOTE_TIMEOUT', `the registry did not answer within ${deadlineMs} ms (${url})`, { remote, cause });
    throw new ModmeshError('MODMESH_REMOTE_UNREACHABLE', `the registry could not be reached (${url})`, { remote, cause });
  }
  try {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new ModmeshError('MODMESH_REMOTE_BAD_CONTENT_TYPE', `the registry answered HTTP ${response.status} with something that is not JSON (${url})`, {
        remote,
        cause,
      });
    }
    if (response.status !== 200) {
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ModmeshError(
        'MODMESH_REMOTE_BAD_STATUS',
        `the registry answered HTTP ${response.status}: ${error?.code ?? ''} ${error?.message ?? ''}`.trim(),
        { remote },
      );
    }
    return body;
  } catch (error) {
    if (controller.signal.aborted)
      throw new ModmeshError('MODMESH_REMOTE_TIMEOUT', `the registry's answer did not complete within ${deadlineMs} ms`, { remote, cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
