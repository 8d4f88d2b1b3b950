import type { IncomingMessage } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { ERROR_CATALOGUE, type ErrorCode, ModmeshError } from '@modmesh/manifest';

export interface Deadlines {
  /** From starting the request to a connected socket. @default 2000 */
  connectMs: number;
  /** From a connected socket to the response headers. @default 5000 */
  firstByteMs: number;
  /** From starting the request to the last byte of the body. @default 15000 */
  totalMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = { connectMs: 2000, firstByteMs: 5000, totalMs: 15_000 };

/**
 * What a response must be for its bytes to be accepted at all. `bytes` takes any content type
 * but HTML: for release files the SHA-256 from the signed manifest is the check that matters,
 * and an HTML page is never one (a registry serves no file as text/html), but a proxy's or
 * portal's page standing in for it, to be retried rather than refused as a bad release.
 */
export type ExpectedKind = 'javascript' | 'json' | 'bytes';

export interface FetchFileOptions {
  deadlines?: Partial<Deadlines>;
  /** Larger responses are cut off and refused. */
  maxBytes: number;
  /**
   * The body's exact size when it is known in advance (a release file's signed size): a body
   * of undeclared length that ends short of it was cut off, not another file.
   */
  size?: number;
  expect: ExpectedKind;
  /** Named in errors. */
  remote?: string;
  /** Extra request headers (an Authorization token). */
  headers?: Record<string, string>;
  /** Aborts the request (a closing host). */
  signal?: AbortSignal;
}

const CONTENT_TYPES: Record<ExpectedKind, RegExp> = {
  javascript: /^(?:application|text)\/(?:javascript|x-javascript|ecmascript)\s*(?:;|$)/i,
  json: /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i,
  bytes: /^(?!text\/html)/i,
};
const ACCEPT: Record<ExpectedKind, string> = {
  javascript: 'application/javascript, text/javascript',
  json: 'application/json',
  bytes: '*/*',
};

// Keep-alive: a host fetches an entry and its chunks from the same origin back to back.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

/**
 * GETs one file and returns its bytes only if the answer is a 200 of the expected content type
 * and size, complete within every deadline. Never leaves a request waiting forever: every phase
 * has a deadline and each failure is a coded `ModmeshError`.
 */
export function fetchFile(url: string, options: FetchFileOptions): Promise<Buffer> {
  const deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
  const target = new URL(url);
  const protocol = target.protocol === 'http:' || target.protocol === 'https:' ? target.protocol : undefined;
  if (!protocol) {
    return Promise.reject(new ModmeshError('MODMESH_REMOTE_UNREACHABLE', `${url} is not an http(s) URL`, { remote: options.remote, file: url }));
  }
  const transport = protocol === 'https:' ? https : http;

  return new Promise<Buffer>(function request(resolve, reject) {
    let settled = false;
    let phaseTimer: NodeJS.Timeout | undefined;
    const fail = (code: ErrorCode, message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(phaseTimer);
      clearTimeout(totalTimer);
      req.destroy();
      reject(new ModmeshError(code, message, { remote: options.remote, file: url, cause }));
    };

    const req = transport.request(target, {
      method: 'GET',
      agent: agents[protocol],
      headers: { accept: ACCEPT[options.expect], ...options.headers },
    });
    options.signal?.addEventListener('abort', () => fail('MODMESH_REMOTE_UNREACHABLE', `${url}: aborted`), { once: true });
    const totalTimer = setTimeout(() => fail('MODMESH_REMOTE_TIMEOUT', `${url}: not complete within ${deadlines.totalMs} ms`), deadlines.totalMs);

    req.on('socket', (socket) => {
      const waitForFirstByte = (): void => {
        clearTimeout(phaseTimer);
        phaseTimer = setTimeout(
          () => fail('MODMESH_REMOTE_TIMEOUT', `${url}: connected, but no response within ${deadlines.firstByteMs} ms`),
          deadlines.firstByteMs,
        );
      };
      // A reused keep-alive socket is already connected.
      if (!socket.connecting) return waitForFirstByte();
      phaseTimer = setTimeout(() => fail('MODMESH_REMOTE_UNREACHABLE', `${url}: no connection within ${deadlines.connectMs} ms`), deadlines.connectMs);
      socket.once('connect', waitForFirstByte);
    });

    let received = 0;
    let responded = false;
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (responded) return fail('MODMESH_REMOTE_INCOMPLETE', `${url}: ${error.code ?? error.message} after ${received} bytes of the body`, error);
      fail('MODMESH_REMOTE_UNREACHABLE', `${url}: ${error.code ?? error.message}`, error);
    });

    req.on('response', (res) => {
      responded = true;
      clearTimeout(phaseTimer);
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        // A modmesh registry explains a refusal in a coded JSON body; pass its code on.
        if (/json/.test(res.headers['content-type'] ?? ''))
          return readErrorBody(res, (coded) => fail(coded?.code ?? 'MODMESH_REMOTE_BAD_STATUS', coded?.message ?? `${url}: HTTP ${status}, expected 200`));
        res.resume();
        return fail('MODMESH_REMOTE_BAD_STATUS', `${url}: HTTP ${status}, expected 200`);
      }
      const contentType = res.headers['content-type'] ?? '';
      if (!CONTENT_TYPES[options.expect].test(contentType)) {
        return fail('MODMESH_REMOTE_BAD_CONTENT_TYPE', `${url}: content type "${contentType}", expected ${options.expect}; nothing was evaluated`);
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > options.maxBytes) {
        return fail('MODMESH_REMOTE_TOO_LARGE', `${url}: ${declared} bytes, over the ${options.maxBytes}-byte limit`);
      }

      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.maxBytes) return fail('MODMESH_REMOTE_TOO_LARGE', `${url}: over the ${options.maxBytes}-byte limit`);
        chunks.push(chunk);
      });
      res.on('aborted', () => fail('MODMESH_REMOTE_INCOMPLETE', `${url}: connection closed after ${received} bytes, before the body was complete`));
      res.on('error', (error) => fail('MODMESH_REMOTE_INCOMPLETE', `${url}: ${error.message} after ${received} bytes`, error));
      res.on('end', () => {
        if (settled) return;
        if (declared && received !== declared) {
          return fail('MODMESH_REMOTE_INCOMPLETE', `${url}: body ended after ${received} of ${declared} bytes`);
        }
        if (!declared && options.size !== undefined && received < options.size) {
          return fail('MODMESH_REMOTE_INCOMPLETE', `${url}: body ended after ${received} of the ${options.size} bytes expected`);
        }
        settled = true;
        clearTimeout(totalTimer);
        resolve(Buffer.concat(chunks));
      });
    });

    req.end();
  });
}

// --- internal ---

const MAX_ERROR_BODY_BYTES = 64 * 1024;

function readErrorBody(res: IncomingMessage, done: (coded: { code: ErrorCode; message: string } | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_ERROR_BODY_BYTES) chunks.push(chunk);
  });
  res.on('error', () => done(undefined));
  res.on('end', () => {
    try {
      const error = JSON.parse(Buffer.concat(chunks).toString('utf8'))?.error;
      const known = typeof error?.code === 'string' && Object.hasOwn(ERROR_CATALOGUE, error.code);
      done(known ? { code: error.code, message: String(error.message ?? error.code) } : undefined);
    } catch {
      done(undefined);
    }
  });
}
