import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import { type Deadlines, fetchFile } from './fetch.js';

export interface Resolved {
  name: string;
  spec: string;
  version: string;
  tag?: { name: string; seq: number; updatedAt: string; kind: 'move' | 'rollback' };
  /** The signed release, not yet verified. */
  release: unknown;
}

export interface ConsumerReport {
  instanceId: string;
  service: string;
  kind: 'node' | 'browser';
  remotes: { name: string; version: string; since: string }[];
}

export interface RegistryClient {
  readonly url: string;
  resolve(name: string, spec: string): Promise<Resolved>;
  /** A file's bytes by SHA-256, `size` its signed size; the caller checks them against the signed manifest. */
  blob(sha256: string, size: number, remote: string): Promise<Buffer>;
  report(report: ConsumerReport): Promise<void>;
  forget(instanceId: string): Promise<void>;
}

// A signed release is a few KB; a resolve answer larger than this is not one.
const MAX_RESOLVE_BYTES = 4 * 1024 * 1024;

export interface RegistryClientOptions {
  url: string;
  token?: string;
  deadlines?: Partial<Deadlines>;
  /** Told of every resolve or file request that failed, with its coded error (for metrics). */
  onFailure?: (error: ModmeshError, remote: string) => void;
}

/** The registry's read API, every call with deadlines (see fetch.ts) and coded errors. */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const base = options.url.replace(/\/+$/, '');
  const headers = options.token ? { authorization: `Bearer ${options.token}` } : undefined;
  const common = { deadlines: options.deadlines, headers };
  const counted = <T>(remote: string, request: Promise<T>): Promise<T> =>
    request.catch((error: unknown) => {
      if (isModmeshError(error)) options.onFailure?.(error, remote);
      throw error;
    });

  return {
    url: base,
    resolve(name, spec) {
      return counted(
        name,
        (async function resolve() {
          const url = `${base}/v1/remotes/${encodeURIComponent(name)}/resolve/${encodeURIComponent(spec)}?include=release`;
          const body = await fetchFile(url, { ...common, expect: 'json', maxBytes: MAX_RESOLVE_BYTES, remote: name });
          const resolved = parse(body, url, name) as Partial<Resolved>;
          if (typeof resolved.version !== 'string' || !resolved.release) {
            throw new ModmeshError('MODMESH_REMOTE_MANIFEST_INVALID', `${url}: the registry's answer has no version and release`, { remote: name });
          }
          return resolved as Resolved;
        })(),
      );
    },
    blob(sha256, size, remote) {
      return counted(remote, fetchFile(`${base}/v1/blobs/${sha256}`, { ...common, expect: 'bytes', maxBytes: size, size, remote }));
    },
    async report(report) {
      await postJson(`${base}/v1/consumers`, report, headers);
    },
    async forget(instanceId) {
      await fetch(`${base}/v1/consumers/${encodeURIComponent(instanceId)}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(2000) }).then((res) =>
        res.body?.cancel(),
      );
    },
  };
}

// --- internal ---

function parse(bytes: Buffer, url: string, remote: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new ModmeshError('MODMESH_REMOTE_MANIFEST_INVALID', `${url}: not valid JSON`, { remote, cause });
  }
}

async function postJson(url: string, body: unknown, headers: Record<string, string> | undefined): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  await response.body?.cancel();
  if (!response.ok) throw new ModmeshError('MODMESH_REMOTE_BAD_STATUS', `${url}: HTTP ${response.status}`);
}
