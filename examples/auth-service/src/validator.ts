import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The claims the auth service puts in every token it issues. */
export interface TokenUser {
  sub: string;
  username: string;
  name: string;
  iss: string;
  aud: string | string[];
  iat: number;
  exp: number;
  [claim: string]: unknown;
}

/**
 * The seed's contract: `{ isValid: true, user }` or `{ isValid: false, error }`, plus a stable
 * `code` saying why, for callers to branch on (an expired token is worth refreshing, a forged one
 * is not).
 */
export type ValidationResult = { isValid: true; user: TokenUser } | { isValid: false; error: string; code: TokenErrorCode };

export type TokenErrorCode =
  | 'TOKEN_EMPTY'
  | 'TOKEN_TOO_LARGE'
  /** Not three base64url segments, or a header or payload that is not a JSON object. */
  | 'TOKEN_MALFORMED'
  /** Signed with anything but ES256: `none`, HS256 with the public key as the secret, RS256... */
  | 'TOKEN_ALGORITHM_REFUSED'
  /** No key id, or one of a key this validator does not trust. */
  | 'TOKEN_KEY_UNKNOWN'
  | 'TOKEN_SIGNATURE_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  /** Another issuer or audience, or no `sub`, `username` or `exp`. */
  | 'TOKEN_CLAIMS_INVALID';

export interface TrustedKey extends JsonWebKey {
  kid: string;
}

export interface TokenValidatorOptions {
  /** Public keys of the issuer (JWKs with a `kid`); more than one during a key rotation. */
  keys: readonly TrustedKey[];
  issuer: string;
  audience: string;
  /** Seconds of clock skew tolerated on `exp`/`nbf`. @default 5 */
  clockToleranceSeconds?: number;
}

// The issuer signs with ES256 only. Pinning it here is what stops `alg: none` and the
// HS256-with-the-public-key confusion: the header is refused before verification, and
// jsonwebtoken never considers another algorithm either.
const ALGORITHM: jwt.Algorithm = 'ES256';

// Three base64url segments (the third empty only for `alg: none`, refused below).
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

// A real token from the auth service is well under 1 KB; anything this large is an attack
// on the parser, refused before it is decoded.
const MAX_TOKEN_LENGTH = 4096;

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Builds the seed's `validateJwtToken` around a fixed set of trusted public keys.
 *
 * @example
 * const validate = createTokenValidator({ keys: [jwk], issuer: 'auth', audience: 'api' });
 * const result = validate(token);
 * if (result.isValid) console.log(result.user.username);
 */
export function createTokenValidator(options: TokenValidatorOptions): (token: string) => ValidationResult {
  const keys = importKeys(options.keys);
  const verifyOptions: jwt.VerifyOptions = {
    algorithms: [ALGORITHM],
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
  };

  // Never throws: whatever a client sends, the answer is a result with a code.
  return function validateJwtToken(token: string): ValidationResult {
    if (typeof token !== 'string' || token.length === 0) return invalid('TOKEN_EMPTY', 'token is empty');
    // Before any parsing: a huge token is an attack on the parser, not a credential.
    if (token.length > MAX_TOKEN_LENGTH) return invalid('TOKEN_TOO_LARGE', `token is longer than ${MAX_TOKEN_LENGTH} characters`);
    if (!COMPACT_JWS.test(token)) return invalid('TOKEN_MALFORMED', 'jwt malformed');
    const [header, claims] = token.split('.').slice(0, 2).map(jsonObjectOf);
    if (!header || !claims) return invalid('TOKEN_MALFORMED', 'jwt malformed');
    if (header.alg !== ALGORITHM) return invalid('TOKEN_ALGORITHM_REFUSED', `token is signed with ${String(header.alg).slice(0, 20)}, not ${ALGORITHM}`);
    const { kid } = header;
    if (typeof kid !== 'string' || !kid) return invalid('TOKEN_KEY_UNKNOWN', 'token has no key id (kid)');
    const key = keys.get(kid);
    if (!key) return invalid('TOKEN_KEY_UNKNOWN', `token is signed by an unknown key (kid ${kid.slice(0, 64)})`);

    try {
      const payload = jwt.verify(token, key, verifyOptions);
      if (typeof payload === 'string' || !isTokenUser(payload)) return invalid('TOKEN_CLAIMS_INVALID', 'token lacks the sub, username or exp claims');
      return { isValid: true, user: payload };
    } catch (error) {
      return invalid(codeOf(error), error instanceof Error ? error.message : String(error));
    }
  };
}

// --- internal ---

function invalid(code: TokenErrorCode, error: string): ValidationResult {
  return { isValid: false, error, code };
}

// jsonwebtoken tells its refusals apart by class and message only: mapped here, once.
function codeOf(error: unknown): TokenErrorCode {
  const { name, message } = error instanceof Error ? error : { name: '', message: '' };
  if (name === 'TokenExpiredError') return 'TOKEN_EXPIRED';
  if (name === 'NotBeforeError') return 'TOKEN_NOT_YET_VALID';
  // The header says ES256 by now, so a missing signature is a bad one.
  if (message === 'invalid signature' || message === 'jwt signature is required') return 'TOKEN_SIGNATURE_INVALID';
  if (message === 'invalid algorithm') return 'TOKEN_ALGORITHM_REFUSED';
  if (/^jwt (issuer|audience|subject|id) invalid/.test(message)) return 'TOKEN_CLAIMS_INVALID';
  return 'TOKEN_MALFORMED';
}

// A base64url segment holding a JSON object, or undefined: never throws.
function jsonObjectOf(segment: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function importKeys(jwks: readonly TrustedKey[]): Map<string, KeyObject> {
  if (jwks.length === 0) throw new Error('createTokenValidator needs at least one trusted public key');
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks) {
    const { kid, ...material } = jwk;
    if ('d' in material) throw new Error(`key ${kid} is a private key: a validator holds public keys only`);
    keys.set(kid, createPublicKey({ key: material, format: 'jwk' }));
  }
  return keys;
}

// `exp` too: jsonwebtoken accepts a token without one, which would then never expire.
function isTokenUser(payload: jwt.JwtPayload): payload is TokenUser {
  return typeof payload.sub === 'string' && typeof payload.username === 'string' && typeof payload.exp === 'number';
}
