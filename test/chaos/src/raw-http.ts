// HTTP requests exactly as given (method, raw path, headers), which fetch() would normalise or
// refuse, with a deadline. An event stream is answered by its status alone and then dropped.
import http from 'node:http';

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export type RawResponse = { status: number; contentType: string; body: string } | { error: string };

export interface RawClient {
  send(request: RawRequest): Promise<RawResponse>;
  close(): void;
}

export function createRawClient(baseUrl: string, options: { deadlineMs: number; sockets: number }): RawClient {
  const { hostname, port } = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.sockets });

  return {
    send(request) {
      return new Promise((resolve) => {
        let settled = false;
        const settle = (response: RawResponse): void => {
          if (settled) return;
          settled = true;
          resolve(response);
        };
        let outgoing: http.ClientRequest;
        try {
          // Always framed: Node's client leaves a GET's or HEAD's body unframed, which the
          // server then rightly reads as a broken next request.
          const headers = request.body ? { ...request.headers, 'content-length': String(request.body.length) } : request.headers;
          outgoing = http.request({ host: hostname, port, method: request.method, path: request.path, headers, agent });
        } catch (error) {
          // Refused by Node's client before anything was sent: not the server's doing.
          return settle({ error: `not sendable: ${(error as Error).message}` });
        }
        outgoing.setTimeout(options.deadlineMs, () => {
          settle({ error: `no answer within ${options.deadlineMs} ms` });
          outgoing.destroy();
        });
        outgoing.on('error', (error) => settle({ error: `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` }));
        outgoing.on('response', (response) => {
          const contentType = String(response.headers['content-type'] ?? '');
          if (contentType.startsWith('text/event-stream')) {
            settle({ status: response.statusCode ?? 0, contentType, body: '' });
            response.destroy();
            return;
          }
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => settle({ status: response.statusCode ?? 0, contentType, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', (error) => settle({ error: `answer cut off: ${error.message}` }));
        });
        outgoing.end(request.body);
      });
    },
    close: () => agent.destroy(),
  };
}
