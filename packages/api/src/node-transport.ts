import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { type ErrorCode, ModmeshError } from '@modmesh/manifest/errors';
import type { Exchange, Transport } from './transport.js';

// Keep-alive: a host fetches a release's files from the same origin back to back.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

/**
 * The transport for Node hosts, on node:http: separate deadlines for the connection, the
 * response head and the whole body, keep-alive sockets, and nothing loaded that a host's
 * start-up does not need (fetch's first use costs a Node process ~30-50 ms; undici's package
 * ~80 ms: measured in packages/api/README.md).
 */
export function createNodeTransport(): Transport {
  return {
    send(request) {
      const { url, deadlines } = request;
      const what = `${request.method} ${url}`;
      const target = new URL(url);
      const protocol = target.protocol === 'http:' || target.protocol === 'https:' ? target.protocol : undefined;
      if (!protocol) {
        return Promise.reject(new ModmeshError('MODMESH_REMOTE_UNREACHABLE', `${what}: not an http(s) URL`, { remote: request.remote, file: url }));
      }
      const transport = protocol === 'https:' ? https : http;

      return new Promise<Exchange>(function send(resolve, reject) {
        let phaseTimer: NodeJS.Timeout | undefined;
        let failed: ModmeshError | undefined;
        // Whoever waits now (for the head, or for the body) is told; later readers see it too.
        let waiting: ((error: ModmeshError) => void) | undefined = reject;
        const fail = (code: ErrorCode, message: string, cause?: unknown): void => {
          if (failed) return;
          failed = new ModmeshError(code, message, { remote: request.remote, file: url, cause });
          clearTimeout(phaseTimer);
          clearTimeout(totalTimer);
          req.destroy();
          waiting?.(failed);
        };
        const req = transport.request(target, { method: request.method, agent: agents[protocol], headers: request.headers });
        request.signal?.addEventListener('abort', () => fail('MODMESH_REMOTE_UNREACHABLE', `${what}: aborted`), { once: true });
        const totalTimer = request.stream
          ? undefined
          : setTimeout(() => fail('MODMESH_REMOTE_TIMEOUT', `${what}: no complete answer within ${deadlines.totalMs} ms`), deadlines.totalMs);

        req.on('socket', (socket) => {
          const waitForFirstByte = (): void => {
            clearTimeout(phaseTimer);
            phaseTimer = setTimeout(
              () => fail('MODMESH_REMOTE_TIMEOUT', `${what}: connected, but no response within ${deadlines.firstByteMs} ms`),
              deadlines.firstByteMs,
            );
          };
          // A reused keep-alive socket is already connected.
          if (!socket.connecting) return waitForFirstByte();
          phaseTimer = setTimeout(() => fail('MODMESH_REMOTE_UNREACHABLE', `${what}: no connection within ${deadlines.connectMs} ms`), deadlines.connectMs);
          socket.once('connect', waitForFirstByte);
        });

        let responded = false;
        let received = 0;
        req.on('error', (error: NodeJS.ErrnoException) => {
          if (responded) return fail('MODMESH_REMOTE_INCOMPLETE', `${what}: ${error.code ?? error.message} after ${received} bytes of the body`, error);
          fail('MODMESH_REMOTE_UNREACHABLE', `${what}: ${error.code ?? error.message}`, error);
        });

        req.on('response', (res: IncomingMessage) => {
          responded = true;
          clearTimeout(phaseTimer);
          waiting = undefined;
          res.on('aborted', () => fail('MODMESH_REMOTE_INCOMPLETE', `${what}: connection closed after ${received} bytes, before the body was complete`));
          res.on('error', (error) => fail('MODMESH_REMOTE_INCOMPLETE', `${what}: ${error.message} after ${received} bytes`, error));
          const declared = Number(res.headers['content-length'] ?? 0);

          resolve({
            status: res.statusCode ?? 0,
            header(name) {
              const value = res.headers[name.toLowerCase()];
              return Array.isArray(value) ? value.join(', ') : value;
            },
            body(maxBytes, expectedSize) {
              return new Promise<Uint8Array>((done, refuse) => {
                if (failed) return refuse(failed);
                waiting = refuse;
                const chunks: Buffer[] = [];
                res.on('data', (chunk: Buffer) => {
                  received += chunk.length;
                  if (received > maxBytes) return fail('MODMESH_REMOTE_TOO_LARGE', `${what}: over the ${maxBytes}-byte limit`);
                  chunks.push(chunk);
                });
                res.on('end', () => {
                  if (failed) return;
                  if (declared && received !== declared) return fail('MODMESH_REMOTE_INCOMPLETE', `${what}: body ended after ${received} of ${declared} bytes`);
                  if (!declared && expectedSize !== undefined && received < expectedSize) {
                    return fail('MODMESH_REMOTE_INCOMPLETE', `${what}: body ended after ${received} of the ${expectedSize} bytes expected`);
                  }
                  clearTimeout(totalTimer);
                  waiting = undefined;
                  done(Buffer.concat(chunks));
                });
              });
            },
            async *chunks() {
              try {
                for await (const chunk of res) {
                  received += (chunk as Buffer).length;
                  yield chunk as Buffer;
                }
              } catch (cause) {
                fail('MODMESH_REMOTE_INCOMPLETE', `${what}: the stream broke after ${received} bytes`, cause);
              }
              if (failed) throw failed;
            },
            cancel() {
              clearTimeout(totalTimer);
              res.resume();
              req.destroy();
            },
          });
        });

        if (request.body !== undefined) req.end(request.body);
        else req.end();
      });
    },
  };
}
