import { ERROR_CATALOGUE, type ErrorCode, ModmeshError } from '@modmesh/manifest';

export interface RegistryClientOptions {
  /** The registry's base URL, e.g. http://127.0.0.1:4000. */
  url: string;
  token?: string | undefined;
  /** Deadline of each request, from sending it to having read its whole answer. */
  timeoutMs: number;
}

export interface RegistryClient {
  readonly url: string;
  /** A JSON request; an error answer becomes the registry's own coded error. */
  json<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** A GET that resolves to undefined when the registry answers MODMESH_NOT_FOUND. */
  find<T>(path: string): Promise<T | undefined>;
  /** HEAD: true when it exists, false on 404. */
  exists(path: string): Promise<boolean>;
  /** PUT of raw bytes (a release file), with extra request headers. */
  upload<T>(path: string, bytes: Uint8Array, headers?: Record<string, string>): Promise<T>;
}

// Statuses of answers that carry no body (HEAD), in the registry's own terms.
const BODILESS_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  401: 'MODMESH_AUTH_REQUIRED',
  403: 'MODMESH_FORBIDDEN',
  429: 'MODMESH_RATE_LIMITED',
};

/**
 * HTTP to one registry. Every request has a deadline; a registry that cannot be reached,
 * does not answer in time or answers with something that is not the registry API becomes a
 * coded error naming the URL. Node's fetch keeps connections alive, so parallel uploads reuse
 * a few sockets.
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};

  async function send(method: string, path: string, init: { body?: Uint8Array | string; type?: string; headers?: Record<string, string> } = {}) {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const what = `${method} ${base}${path}`;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, ...init.headers, ...(init.type && { 'content-type': init.type }) },
        ...(init.body !== undefined && { body: init.body }),
        signal,
      });
    } catch (error) {
      throw transportError(error, what, base, options.timeoutMs, 'connect');
    }
    try {
      return { status: response.status, text: await response.text() };
    } catch (error) {
      throw transportError(error, what, base, options.timeoutMs, 'body');
    }
  }

  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await send(method, path, body === undefined ? {} : { body: JSON.stringify(body), type: 'application/json' });
    return parseAnswer<T>(answer, `${method} ${base}${path}`);
  }

  return {
    url: base,
    json,
    async find<T>(path: string) {
      try {
        return await json<T>('GET', path);
      } catch (error) {
        if (error instanceof ModmeshError && error.code === 'MODMESH_NOT_FOUND') return undefined;
        throw error;
      }
    },
    async exists(path) {
      const { status } = await send('HEAD', path);
      if (status >= 200 && status < 300) return true;
      if (status === 404) return false;
      const code = BODILESS_STATUS_CODES[status];
      if (code) throw new ModmeshError(code, `${base} answered HEAD ${path} with HTTP ${status}`);
      throw new ModmeshError('MODMESH_REMOTE_BAD_STATUS', `${base} answered HEAD ${path} with HTTP ${status}`);
    },
    async upload<T>(path: string, bytes: Uint8Array, extra?: Record<string, string>) {
      return parseAnswer<T>(await send('PUT', path, { body: bytes, type: 'application/octet-stream', headers: extra }), `PUT ${base}${path}`);
    },
  };
}

/**
 * A registry API path from its segments, each URL-encoded (a range such as `^1 || ^2` is one
 * segment): `apiPath('remotes', 'auth', 'resolve', '^1')` is `/v1/remotes/auth/resolve/%5E1`.
 */
export function apiPath(...segments: string[]): string {
  return `/v1/${segments.map(encodeURIComponent).join('/')}`;
}

// --- internal ---

function parseAnswer<T>(answer: { status: number; text: string }, what: string): T {
  let body: unknown;
  try {
    body = answer.text === '' ? undefined : JSON.parse(answer.text);
  } catch {}
  if (answer.status >= 200 && answer.status < 300) {
    if (body === undefined) {
      throw new ModmeshError('MODMESH_REMOTE_BAD_CONTENT_TYPE', `${what} answered with something that is not JSON: ${snippet(answer.text)}`, {
        hint: 'Check that the URL is a modmesh registry (--registry or MODMESH_REGISTRY), not another server or a proxy page.',
      });
    }
    return body as T;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; hint?: unknown; remote?: unknown; version?: unknown; file?: unknown } } | undefined)
    ?.error;
  if (typeof error?.code === 'string' && Object.hasOwn(ERROR_CATALOGUE, error.code)) {
    return throwCoded(error.code as ErrorCode, error);
  }
  throw new ModmeshError('MODMESH_REMOTE_BAD_STATUS', `${what} answered HTTP ${answer.status}: ${snippet(answer.text)}`, {
    hint: 'Check that the URL is a modmesh registry and that it is healthy (its log says more).',
  });
}

// The registry's error as the user's error: same code, message, hint and subject.
function throwCoded(code: ErrorCode, error: Record<string, unknown>): never {
  const text = (field: string): string | undefined => (typeof error[field] === 'string' ? (error[field] as string) : undefined);
  throw new ModmeshError(code, text('message') ?? code, { hint: text('hint'), remote: text('remote'), version: text('version'), file: text('file') });
}

function transportError(error: unknown, what: string, base: string, timeoutMs: number, phase: 'connect' | 'body'): unknown {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ModmeshError('MODMESH_REMOTE_TIMEOUT', `${what}: no complete answer within ${timeoutMs} ms`, {
      hint: 'The registry is overloaded or stuck; check it, or raise MODMESH_HTTP_TIMEOUT_MS if it is legitimately slow.',
      cause: error,
    });
  }
  if (phase === 'body') return new ModmeshError('MODMESH_REMOTE_INCOMPLETE', `${what}: the answer was cut off (${describeCause(error)})`, { cause: error });
  // fetch() reports every network failure as a TypeError whose cause is the system error.
  if (error instanceof TypeError && error.cause) {
    return new ModmeshError('MODMESH_REMOTE_UNREACHABLE', `cannot reach the registry at ${base} (${describeCause(error)})`, {
      hint: 'Check that the registry is running (`modmesh registry start`) and that --registry or MODMESH_REGISTRY points at it.',
      cause: error,
    });
  }
  return error;
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } } | null)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : String(cause?.message ?? (error as Error).message);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat === '' ? '(empty)' : flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
