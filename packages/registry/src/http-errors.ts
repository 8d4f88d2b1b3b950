import { type ErrorCode, isModmeshError, ModmeshError } from '@modmesh/manifest';

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
  MODMESH_AUTH_REQUIRED: 401,
  MODMESH_KEY_NOT_TRUSTED: 403,
  MODMESH_FORBIDDEN: 403,
  MODMESH_NOT_FOUND: 404,
  MODMESH_RANGE_UNSATISFIED: 404,
  MODMESH_VERSION_EXISTS: 409,
  MODMESH_TAG_CONFLICT: 409,
  MODMESH_NO_PREVIOUS_TARGET: 409,
  MODMESH_BODY_TOO_LARGE: 413,
  MODMESH_RATE_LIMITED: 429,
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

// --- internal ---

function wrap(status: number, error: ModmeshError) {
  return { status, body: { error: error.toJSON() }, internal: false };
}
