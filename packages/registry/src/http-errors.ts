import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorCode, isModmeshError, ModmeshError } from '@modmesh/manifest';
import type { FastifyReply, FastifyRequest } from 'fastify';

// The HTTP status of every code the registry answers with. Bad input is always a 4xx.
const STATUS: Partial<Record<ErrorCode, number>> = {
  MODMESH_INVALID_NAME: 400,
  MODMESH_INVALID_VERSION: 400,
  MODMESH_INVALID_TAG: 400,
  MODMESH_INVALID_SPEC: 400,
  MODMESH_INVALID_JSON: 400,
  MODMESH_BAD_REQUEST: 400,
  MODMESH_MANIFEST_INVALID: 400,
  MODMESH_MANIFEST_MISMATCH: 400,
  MODMESH_UNSAFE_PATH: 400,
  MODMESH_KEY_INVALID: 400,
  MODMESH_SIGNATURE_MISSING: 400,
  MODMESH_SIGNATURE_INVALID: 400,
  MODMESH_HASH_MISMATCH: 400,
  MODMESH_FILE_MISSING: 400,
  // TUF documents refused on upload (design 16 §2.6): the request carries the fault.
  MODMESH_ROOT_INVALID: 400,
  MODMESH_ROOT_ROTATION_REFUSED: 400,
  MODMESH_ROOT_EXPIRED: 400,
  MODMESH_META_INVALID: 400,
  MODMESH_META_MISMATCH: 400,
  MODMESH_META_EXPIRED: 400,
  MODMESH_META_ROLLBACK: 400,
  MODMESH_TAG_STATE_INVALID: 400,
  MODMESH_RELEASE_NOT_LISTED: 400,
  MODMESH_RELEASE_CHANGED: 400,
  MODMESH_REPLAY_REFUSED: 400,
  MODMESH_AUTH_REQUIRED: 401,
  MODMESH_TOKEN_EXPIRED: 401,
  MODMESH_TOKEN_REVOKED: 401,
  MODMESH_META_SIGNATURE: 403,
  MODMESH_KEY_NOT_TRUSTED: 403,
  MODMESH_FORBIDDEN: 403,
  MODMESH_NOT_FOUND: 404,
  MODMESH_RANGE_UNSATISFIED: 404,
  MODMESH_VERSION_EXISTS: 409,
  MODMESH_TAG_CONFLICT: 409,
  MODMESH_NO_PREVIOUS_TARGET: 409,
  MODMESH_META_CONFLICT: 409,
  MODMESH_TAG_STATE_CONFLICT: 409,
  MODMESH_BODY_TOO_LARGE: 413,
  MODMESH_RATE_LIMITED: 429,
  // The database is down or unreachable: another replica, or this one a moment later, can answer.
  MODMESH_STORAGE_UNAVAILABLE: 503,
  // The registry holds no key the root names for timestamp and snapshot: its operator must give it one.
  MODMESH_ONLINE_KEY_MISSING: 503,
};

/** The status and JSON body for an error; anything uncoded is an internal error, logged in full by the caller. */
export function toHttpError(error: unknown): { status: number; body: { error: ReturnType<ModmeshError['toJSON']> }; internal: boolean } {
  if (isModmeshError(error) && error instanceof ModmeshError) {
    return { status: STATUS[error.code] ?? 500, body: { error: error.toJSON() }, internal: !(error.code in STATUS) };
  }
  const fastifyCode = (error as { code?: string } | null)?.code;
  const fastifyStatus = (error as { statusCode?: number } | null)?.statusCode;
  // Fastify's own refusals of malformed requests, given modmesh codes.
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' || fastifyStatus === 413) {
    return wrap(413, new ModmeshError('MODMESH_BODY_TOO_LARGE', 'the request body is over the limit for this route'));
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && fastifyStatus === 400)) {
    return wrap(400, new ModmeshError('MODMESH_INVALID_JSON', `the request body is not valid JSON: ${(error as Error).message}`));
  }
  if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return wrap(400, new ModmeshError('MODMESH_INVALID_JSON', 'the request body is empty; send a JSON object'));
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fastifyStatus === 415) {
    return wrap(400, new ModmeshError('MODMESH_BAD_REQUEST', `unsupported content type: ${(error as Error).message}`));
  }
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return wrap(fastifyStatus, new ModmeshError('MODMESH_BAD_REQUEST', (error as Error).message));
  }
  return { ...wrap(500, new ModmeshError('MODMESH_INTERNAL', 'internal error; see the registry log')), internal: true };
}

/**
 * Fastify options that give modmesh codes to what is refused before any route runs: a URL that
 * does not decode, a path segment over the router's limit, bytes that are not HTTP.
 */
export const FRAMEWORK_ERROR_OPTIONS = {
  // A spec may be a 256-character range, and URL-encoding can triple that.
  routerOptions: { maxParamLength: 1024 },
  frameworkErrors: function frameworkErrors(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
    const refusal = FRAMEWORK_REFUSALS[error.code ?? ''];
    if (!refusal) {
      reply.status(500).send({ error: new ModmeshError('MODMESH_INTERNAL', 'internal error; see the registry log').toJSON() });
      return;
    }
    reply.status(refusal.status).send({ error: new ModmeshError('MODMESH_BAD_REQUEST', refusal.message).toJSON() });
  },
  // Node's parser refused the bytes: answer in JSON like every other refusal, and close, since
  // nothing more can be read from the connection.
  clientErrorHandler: function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
    // Node reports every further chunk of a broken request again: each connection is answered once.
    if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
    answered.add(socket);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const refusal = PARSER_REFUSALS[error.code ?? ''] ?? { status: 400, message: 'the request is not valid HTTP' };
    const body = JSON.stringify({ error: new ModmeshError('MODMESH_BAD_REQUEST', refusal.message).toJSON() });
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    // A lingering close: what the client is still sending is read and dropped until it hangs up.
    // Closing at once, with its bytes unread, would reset the connection and lose the answer.
    socket.once('end', () => socket.destroy());
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  },
};

// --- internal ---

const answered = new WeakSet<Socket>();
/** How long a refused client may go on sending before its connection is dropped. */
const LINGER_MS = 2000;

const FRAMEWORK_REFUSALS: Record<string, { status: number; message: string }> = {
  FST_ERR_BAD_URL: { status: 400, message: 'the URL does not decode: a %-escape is malformed or not UTF-8' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, message: 'a segment of the URL is over 1024 characters' },
};

const PARSER_REFUSALS: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'the request headers are over 16 KB' },
};

function wrap(status: number, error: ModmeshError) {
  return { status, body: { error: error.toJSON() }, internal: false };
}
