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

/** The seed's contract: `{ isValid: true, user }` or `{ isValid: false, error }`. */
export type ValidationResult = { isValid: true; user: TokenUser } | { isValid: false; error: string };

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
// HS256-with-the-public-key confusion: jsonwebtoken then never considers another algorithm.
const ALGORITHMS: jwt.Algorithm[] = ['ES256'];

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
    algorithms: ALGORITHMS,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
  };

  return function validateJwtToken(token: string): ValidationResult {
    if (typeof token !== 'string' || token.length === 0) return invalid('token is empty');
    if (token.length > MAX_TOKEN_LENGTH) return invalid(`token is longer than ${MAX_TOKEN_LENGTH} characters`);

    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') return invalid('jwt malformed');
    const { kid } = decoded.header;
    if (!kid) return invalid('token has no key id (kid)');
    const key = keys.get(kid);
    if (!key) return invalid(`token is signed by an unknown key (kid ${kid})`);

    try {
      const payload = jwt.verify(token, key, verifyOptions);
      if (typeof payload === 'string' || !isTokenUser(payload)) return invalid('token lacks the sub and username claims');
      return { isValid: true, user: payload };
    } catch (error) {
      return invalid(error instanceof Error ? error.message : String(error));
    }
  };
}

// --- internal ---

function invalid(error: string): ValidationResult {
  return { isValid: false, error };
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

function isTokenUser(payload: jwt.JwtPayload): payload is TokenUser {
  return typeof payload.sub === 'string' && typeof payload.username === 'string';
}
