import http from 'node:http';
import https from 'node:https';
import { type ErrorCode, ModmeshError } from '@modmesh/manifest';

export interface Deadlines {
  /** From starting the request to a connected socket. @default 2000 */
  connectMs: number;
  /** From a connected socket to the response headers. @default 5000 */
  firstByteMs: number;
  /** From starting the request to the last byte of the body. @default 15000 */
  totalMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = { connectMs: 2000, firstByteMs: 5000, totalMs: 15_000 };

/** What a file must be for its bytes to be accepted at all. */
export type ExpectedKind = 'javascript' | 'json';

export interface FetchFileOptions {
  deadlines?: Partial<Deadlines>;
  /** Larger responses are cut off and refused. */
  maxBytes: number;
  expect: ExpectedKind;
  /** Named in errors. */
  remote?: string;
}

const CONTENT_TYPES: Record<ExpectedKind, RegExp> = {
  javascript: /^(?:application|text)\/(?:javascript|x-javascript|ecmascript)\s*(?:;|$)/i,
  json: /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i,
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
      headers: { accept: options.expect === 'json' ? 'application/json' : 'application/javascript, text/javascript' },
    });
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
      if (status !== 200) return fail('MODMESH_REMOTE_BAD_STATUS', `${url}: HTTP ${status}, expected 200`);
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
        settled = true;
        clearTimeout(totalTimer);
        resolve(Buffer.concat(chunks));
      });
    });

    req.end();
  });
}
