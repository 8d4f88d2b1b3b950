import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers requests Node's HTTP parser refuses before any handler runs (headers over its 16 KB
 * limit, such as a 100 KB "token"; malformed requests; request timeouts) with the service's
 * JSON error body and a code, instead of a bare status line.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', function clientError(error: NodeJS.ErrnoException, socket: Duplex) {
    // Only before anything was answered on the connection, as Node's own handler does.
    if (socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
      const [status, code, message] = PARSER_REFUSALS[error.code ?? ''] ?? DEFAULT_REFUSAL;
      const body = JSON.stringify({ error: { code, message } });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  });
}

// --- internal ---

type Refusal = [status: number, code: string, message: string];

// The same statuses Node answers with by itself.
const PARSER_REFUSALS: Record<string, Refusal> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request headers are over 16 KB; a token from the auth service is well under 1 KB'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'BAD_REQUEST', 'The request body has chunk extensions over the limit'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time'],
};
const DEFAULT_REFUSAL: Refusal = [400, 'BAD_REQUEST', 'The request is not valid HTTP'];
