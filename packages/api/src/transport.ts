import { ERROR_CATALOGUE, type ErrorCode, ModmeshError } from '@modmesh/manifest/errors';

/** How long each phase of a request may take. */
export interface Deadlines {
  /** From starting the request to a connected socket. @default 2000 */
  connectMs: number;
  /** From a connected socket to the response headers. @default 5000 */
  firstByteMs: number;
  /** From starting the request to the last byte of the body. @default 15000 */
  totalMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = { connectMs: 2000, firstByteMs: 5000, totalMs: 15_000 };

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface TransportRequest {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  deadlines: Deadlines;
  /** An event stream: no total deadline, the body is read as it comes. */
  stream?: boolean;
  signal?: AbortSignal;
  /** Named in errors. */
  remote?: string;
}

/** A response whose head arrived; its body is read on demand, under the request's deadlines. */
export interface Exchange {
  readonly status: number;
  header(name: string): string | undefined;
  /**
   * The whole body, refused with MODMESH_REMOTE_TOO_LARGE past `maxBytes` (while reading) and
   * MODMESH_REMOTE_INCOMPLETE when it ends short of its declared length or of `expectedSize`.
   */
  body(maxBytes: number, expectedSize?: number): Promise<Uint8Array>;
  /** The body chunk by chunk (an event stream); ends when the server ends it. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Stops reading and frees the connection. */
  cancel(): void;
}

/**
 * How requests reach the registry. Both transports (fetch: browsers, the CLI, the dashboard;
 * node:http: Node hosts, see ./node) fail the same way, with coded errors: UNREACHABLE (no
 * connection, or aborted), TIMEOUT (a deadline passed), INCOMPLETE (a body cut off), TOO_LARGE.
 */
export interface Transport {
  send(request: TransportRequest): Promise<Exchange>;
}

/** What an answer must be for its body to be used at all. */
export type ExpectedKind = 'javascript' | 'json' | 'bytes';

export const CONTENT_TYPES: Record<ExpectedKind, RegExp> = {
  javascript: /^(?:application|text)\/(?:javascript|x-javascript|ecmascript)\s*(?:;|$)/i,
  json: /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i,
  // Any type but HTML: a release file's SHA-256 is the check that matters, and a registry never
  // serves one as text/html, so an HTML page is a proxy's or portal's, to be retried.
  bytes: /^(?!text\/html)/i,
};

export const ACCEPT: Record<ExpectedKind, string> = {
  javascript: 'application/javascript, text/javascript',
  json: 'application/json',
  bytes: '*/*',
};

// An error answer is a small JSON document; anything longer is not one.
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface ReceiveOptions {
  expect: ExpectedKind;
  maxBytes: number;
  /** The body's exact size when known in advance (a release file's signed size). */
  size?: number | undefined;
  /** Statuses that are success besides 200 (201 for a publish). */
  accept?: readonly number[] | undefined;
  remote?: string | undefined;
  /** The request, for messages: `GET http://...`. */
  what: string;
  url: string;
  /** What to tell a user when the answer is not what a registry answers (a proxy's page, another server). @default the catalogue's hint */
  notRegistryHint?: string | undefined;
}

/**
 * The body of an answer, only if it is a success of the expected content type and size. A
 * refusal the registry explains (`{ error: { code, ... } }`) becomes that coded error, with its
 * hint and subject; any other non-success is MODMESH_REMOTE_BAD_STATUS, quoting the start of
 * what answered. One rule for every client and transport.
 */
export async function receive(exchange: Exchange, options: ReceiveOptions): Promise<Uint8Array> {
  const { status } = exchange;
  const subject = { remote: options.remote, file: options.url };
  if (status !== 200 && !options.accept?.includes(status)) {
    const { coded, text } = await readErrorAnswer(exchange);
    if (coded) throw coded;
    throw new ModmeshError('MODMESH_REMOTE_BAD_STATUS', `${options.what} answered HTTP ${status}${text ? `: ${snippet(text)}` : ', expected 200'}`, {
      ...subject,
      hint: options.notRegistryHint,
    });
  }
  const contentType = exchange.header('content-type') ?? '';
  if (!CONTENT_TYPES[options.expect].test(contentType)) {
    exchange.cancel();
    throw new ModmeshError(
      'MODMESH_REMOTE_BAD_CONTENT_TYPE',
      `${options.what}: content type "${contentType}", expected ${options.expect}; nothing was evaluated`,
      { ...subject, hint: options.notRegistryHint },
    );
  }
  const declared = Number(exchange.header('content-length') ?? 0);
  if (declared > options.maxBytes) {
    exchange.cancel();
    throw new ModmeshError('MODMESH_REMOTE_TOO_LARGE', `${options.what}: ${declared} bytes, over the ${options.maxBytes}-byte limit`, subject);
  }
  return exchange.body(options.maxBytes, options.size);
}

/** A JSON answer's body, parsed; MODMESH_REMOTE_BAD_CONTENT_TYPE when it is not JSON. */
export function parseJson<T>(bytes: Uint8Array, url: string, remote?: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (cause) {
    throw new ModmeshError('MODMESH_REMOTE_BAD_CONTENT_TYPE', `${url}: the answer is not valid JSON`, { remote, file: url, cause });
  }
}

/** An error answer: the registry's coded error if it is one, and its text (to quote) if it is short. */
export async function readErrorAnswer(exchange: Exchange): Promise<{ coded?: ModmeshError; text?: string }> {
  let text: string;
  try {
    text = new TextDecoder().decode(await exchange.body(MAX_ERROR_BODY_BYTES));
  } catch {
    return {};
  }
  if (!CONTENT_TYPES.json.test(exchange.header('content-type') ?? '')) return { text };
  try {
    const coded = codedErrorOf(JSON.parse(text));
    return coded ? { coded } : { text };
  } catch {
    return { text };
  }
}

/** `{ error: { code, message, hint, remote, version, file } }` as the same ModmeshError, if its code is known. */
export function codedErrorOf(body: unknown): ModmeshError | undefined {
  const error = (body as { error?: Record<string, unknown> } | null | undefined)?.error;
  if (!error || typeof error.code !== 'string' || !Object.hasOwn(ERROR_CATALOGUE, error.code)) return undefined;
  const text = (field: string): string | undefined => (typeof error[field] === 'string' ? (error[field] as string) : undefined);
  return new ModmeshError(error.code as ErrorCode, text('message') ?? error.code, {
    hint: text('hint'),
    remote: text('remote'),
    version: text('version'),
    file: text('file'),
  });
}

// --- internal ---

// What a user is shown of an answer that is not the registry's: enough to recognise it.
function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat === '' ? '(empty)' : flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
