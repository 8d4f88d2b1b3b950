import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers requests Node's HTTP parser refuses before any handler runs (headers over its 16 KB
 * limit, such as a 100 KB "token"; malformed requests; request timeouts) with the service's
 * JSON error body and a code, instead of a bare status line.
 */
export function answerClientErrors(server: Server): void {
  // Node reports every further chunk of a broken request again: each connection is answered once.
  const answered = new WeakSet<Duplex>();
  server.on('clientError', function clientError(error: NodeJS.ErrnoException, socket: Duplex) {
    if (answered.has(socket)) return;
    answered.add(socket);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message] = PARSER_REFUSALS[error.code ?? ''] ?? DEFAULT_REFUSAL;
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    // A lingering close: what the client is still sending is read and dropped until it hangs up.
    // Closing at once, with its bytes unread, would reset the connection and lose the answer.
    socket.once('end', () => socket.destroy());
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}

// --- internal ---

type Refusal = [status: number, code: string, message: string];

/** How long a refused client may go on sending before its connection is dropped. */
const LINGER_MS = 2000;

// The same statuses Node answers with by itself.
const PARSER_REFUSALS: Record<string, Refusal> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request headers are over 16 KB; a token from the auth service is well under 1 KB'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'BAD_REQUEST', 'The request body has chunk extensions over the limit'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time'],
};
const DEFAULT_REFUSAL: Refusal = [400, 'BAD_REQUEST', 'The request is not valid HTTP'];
