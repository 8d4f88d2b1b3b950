import { type ErrorCode, ModmeshError } from '@modmesh/manifest/errors';
import type { Exchange, Transport } from './transport.js';

/**
 * The transport over `fetch` (browsers, the CLI, the dashboard, tests). fetch cannot tell a slow
 * connect from a slow server, so the connect and first-byte deadlines apply together, to the
 * response head; the total deadline covers the body too.
 */
export function createFetchTransport(fetchImpl?: typeof fetch): Transport {
  // Looked up at each request, not bound once: a page or test that wraps fetch later is honoured.
  const fetchNow: typeof fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  return {
    async send(request) {
      const { url, deadlines } = request;
      const what = `${request.method} ${url}`;
      const controller = new AbortController();
      let why: { code: ErrorCode; message: string } | undefined;
      const abort = (code: ErrorCode, message: string): void => {
        why ??= { code, message };
        controller.abort();
      };
      const headMs = deadlines.connectMs + deadlines.firstByteMs;
      const headTimer = setTimeout(() => abort('MODMESH_REMOTE_TIMEOUT', `${what}: no response within ${headMs} ms`), headMs);
      const totalTimer = request.stream
        ? undefined
        : setTimeout(() => abort('MODMESH_REMOTE_TIMEOUT', `${what}: no complete answer within ${deadlines.totalMs} ms`), deadlines.totalMs);
      const onOuterAbort = (): void => abort('MODMESH_REMOTE_UNREACHABLE', `${what}: aborted`);
      request.signal?.addEventListener('abort', onOuterAbort, { once: true });
      const done = (): void => {
        clearTimeout(headTimer);
        clearTimeout(totalTimer);
        request.signal?.removeEventListener('abort', onOuterAbort);
      };
      const coded = (fallback: ErrorCode, message: string, cause: unknown): ModmeshError =>
        new ModmeshError(why?.code ?? fallback, why?.message ?? message, { remote: request.remote, file: url, cause });

      let response: Response;
      try {
        const init = {
          method: request.method,
          headers: request.headers,
          ...(request.body !== undefined && { body: request.body }),
          signal: controller.signal,
          // Tokens travel in the Authorization header only, never as ambient cookies; answers
          // that change (a tag's target) are never taken from a browser's HTTP cache.
          credentials: 'omit',
          cache: 'no-store',
        };
        response = await fetchNow(url, init as RequestInit);
      } catch (cause) {
        done();
        // fetch reports a network failure as a TypeError (its cause the system error); anything
        // else it throws is not about the network, and stays what it is: a bug to report.
        if (!why && !(cause instanceof TypeError)) throw cause;
        throw coded('MODMESH_REMOTE_UNREACHABLE', `${what}: ${describe(cause)}`, cause);
      }
      clearTimeout(headTimer);

      const exchange: Exchange = {
        status: response.status,
        header: (name) => response.headers.get(name) ?? undefined,
        async body(maxBytes, expectedSize) {
          const parts: Uint8Array[] = [];
          let received = 0;
          try {
            for await (const chunk of readChunks(response)) {
              received += chunk.length;
              if (received > maxBytes) {
                controller.abort();
                throw new ModmeshError('MODMESH_REMOTE_TOO_LARGE', `${what}: over the ${maxBytes}-byte limit`, { remote: request.remote, file: url });
              }
              parts.push(chunk);
            }
          } catch (cause) {
            if (cause instanceof ModmeshError) throw cause;
            throw coded('MODMESH_REMOTE_INCOMPLETE', `${what}: the body was cut off after ${received} bytes (${describe(cause)})`, cause);
          } finally {
            done();
          }
          const declared = Number(response.headers.get('content-length') ?? 0);
          // A browser decompresses bodies: the declared length is then of the compressed bytes.
          const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
          if (declared && !encoded && received !== declared) {
            throw new ModmeshError('MODMESH_REMOTE_INCOMPLETE', `${what}: body ended after ${received} of ${declared} bytes`, {
              remote: request.remote,
              file: url,
            });
          }
          if (expectedSize !== undefined && received < expectedSize) {
            throw new ModmeshError('MODMESH_REMOTE_INCOMPLETE', `${what}: body ended after ${received} of the ${expectedSize} bytes expected`, {
              remote: request.remote,
              file: url,
            });
          }
          return concat(parts, received);
        },
        async *chunks() {
          try {
            yield* readChunks(response);
          } catch (cause) {
            throw coded('MODMESH_REMOTE_INCOMPLETE', `${what}: the stream broke (${describe(cause)})`, cause);
          } finally {
            done();
          }
        },
        cancel() {
          done();
          controller.abort();
          response.body?.cancel().catch(() => {});
        },
      };
      return exchange;
    },
  };
}

// --- internal ---

async function* readChunks(response: Response): AsyncIterable<Uint8Array> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

// fetch reports a network failure as a TypeError whose cause is the system error.
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } } | null)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : String(cause?.message ?? (error as Error)?.message ?? error);
}
