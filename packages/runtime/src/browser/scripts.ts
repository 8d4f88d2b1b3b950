// How verified bytes reach a page: `<script>` tags whose `integrity` comes from the signed
// manifest, so the browser itself refuses altered bytes, entry and chunks alike.
import { integrityOf, ModmeshError, type ReleaseManifest } from '@modmesh/manifest/web';

export interface WebContainer {
  init(shareScope: unknown, initScope?: unknown): unknown;
  get(module: string): Promise<() => unknown>;
}

interface Handoff {
  register(info: { name: string; buildId: string }, container: WebContainer): void;
  integrity(url: string): string | undefined;
}

// Written by @modmesh/build's ModmeshWebPlugin into every container it builds.
const WEB_GLOBAL = '__modmesh_web__';

const integrities = new Map<string, string>();
let pending: { name: string; container?: WebContainer } | undefined;
// One entry at a time: the handoff from a running entry goes to the load that added it.
let queue: Promise<unknown> = Promise.resolve();

installHandoff();

/** The URL of every file of a release, and its integrity, known to the page from now on. */
export function allowFiles(manifest: ReleaseManifest, urlOf: (path: string) => string): void {
  for (const file of manifest.files) integrities.set(urlOf(file.path), integrityOf(file.sha256));
}

export function integrityFor(url: string): string | undefined {
  return integrities.get(url);
}

/**
 * Adds the entry's `<script>` with its signed integrity and resolves with the container it
 * hands over. Rejects with a coded error: the bytes were refused, the file is missing or slow,
 * or the container was built without the plugin that puts integrity on its chunks.
 */
export function loadEntry(options: { url: string; name: string; label: string; file: string; deadlineMs: number }): Promise<WebContainer> {
  const run = queue.then(() => addEntryScript(options));
  queue = run.catch(() => undefined);
  return run;
}

/** Why a script at `url` did not load: a coded error after looking at the bytes ourselves. */
export async function diagnoseScript(url: string, context: { label: string; file: string; deadlineMs: number }): Promise<ModmeshError> {
  const subject = subjectOf(context);
  const expected = integrities.get(url);
  if (!expected) {
    return new ModmeshError(
      'MODMESH_CHUNK_NOT_IN_RELEASE',
      `${context.label}: ${url} is not a file of the signed release; the browser was told to refuse it`,
      subject,
    );
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), context.deadlineMs);
  try {
    const response = await fetch(url, { signal: controller.signal, mode: 'cors', credentials: 'omit' });
    if (response.status !== 200) {
      return new ModmeshError('MODMESH_REMOTE_BAD_STATUS', `${context.label}: ${context.file} answered HTTP ${response.status}`, subject);
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await response.arrayBuffer()));
    const actual = `sha256-${btoa(String.fromCharCode(...digest))}`;
    if (actual !== expected) {
      return new ModmeshError(
        'MODMESH_HASH_MISMATCH',
        `${context.label}: the browser refused ${context.file}: its bytes (${actual}) are not the ones the release signed (${expected}) (Subresource Integrity)`,
        subject,
      );
    }
    return new ModmeshError('MODMESH_REMOTE_EVALUATION_FAILED', `${context.label}: ${context.file} loaded but did not run; see the browser console`, subject);
  } catch (cause) {
    const timedOut = controller.signal.aborted;
    return new ModmeshError(
      timedOut ? 'MODMESH_REMOTE_TIMEOUT' : 'MODMESH_REMOTE_UNREACHABLE',
      `${context.label}: ${context.file} ${timedOut ? `did not arrive within ${context.deadlineMs} ms` : 'could not be fetched'}`,
      { ...subject, cause },
    );
  } finally {
    clearTimeout(timer);
  }
}

// --- internal ---

function installHandoff(): void {
  const page = globalThis as unknown as Record<string, Handoff | undefined>;
  if (page[WEB_GLOBAL]) return;
  page[WEB_GLOBAL] = {
    register(info, container) {
      if (pending && pending.name === info.name && !pending.container) pending.container = container;
    },
    integrity: integrityFor,
  };
}

async function addEntryScript(options: { url: string; name: string; label: string; file: string; deadlineMs: number }): Promise<WebContainer> {
  const integrity = integrities.get(options.url);
  if (!integrity) throw await diagnoseScript(options.url, options);
  const handoff: { name: string; container?: WebContainer } = { name: options.name };
  pending = handoff;
  const script = document.createElement('script');
  script.src = options.url;
  script.integrity = integrity;
  script.crossOrigin = 'anonymous';
  script.async = true;
  try {
    const outcome = await new Promise<'load' | 'error' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), options.deadlineMs);
      script.onload = () => resolve('load');
      script.onerror = () => resolve('error');
      script.addEventListener('load', () => clearTimeout(timer));
      script.addEventListener('error', () => clearTimeout(timer));
      document.head.appendChild(script);
    });
    if (outcome === 'timeout') {
      throw new ModmeshError('MODMESH_REMOTE_TIMEOUT', `${options.label}: ${options.file} did not load within ${options.deadlineMs} ms`, subjectOf(options));
    }
    if (outcome === 'error') throw await diagnoseScript(options.url, options);
    if (!handoff.container) {
      throw new ModmeshError('MODMESH_SRI_UNSUPPORTED', `${options.label}: ${options.file} ran but handed no container to modmesh`, subjectOf(options));
    }
    return handoff.container;
  } finally {
    if (pending === handoff) pending = undefined;
    script.remove();
  }
}

function subjectOf(context: { label: string; file: string }): { remote: string; version: string; file: string } {
  const at = context.label.lastIndexOf('@');
  return { remote: context.label.slice(0, at), version: context.label.slice(at + 1), file: context.file };
}
