import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import { AuthError } from './errors.js';
import type { TrustedKey } from './validator.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: TrustedKey;
}

export interface LoadSigningKeyOptions {
  env: NodeJS.ProcessEnv;
  /** The `.env` file read for `AUTH_PRIVATE_KEY`, and written to when a dev key is generated. */
  envFile: string;
  /** Where the warning about a generated key goes. */
  warn: (message: string) => void;
}

const PRIVATE_KEY_VAR = 'AUTH_PRIVATE_KEY';

/**
 * The auth service's token signing key, from `AUTH_PRIVATE_KEY` (the environment first, then the
 * `.env` file). Only with `NODE_ENV=development` is a missing key generated, written to the `.env`
 * file and announced; anywhere else a missing key refuses to start rather than sign with a default.
 */
export function loadSigningKey(options: LoadSigningKeyOptions): SigningKey {
  const pem = options.env[PRIVATE_KEY_VAR] ?? readEnvFile(options.envFile)[PRIVATE_KEY_VAR];
  if (pem) return signingKeyFromPem(pem);

  if (options.env.NODE_ENV !== 'development') {
    throw new AuthError(
      'AUTH_SIGNING_KEY_MISSING',
      `${PRIVATE_KEY_VAR} is not set and NODE_ENV is "${options.env.NODE_ENV ?? ''}"`,
      `Set ${PRIVATE_KEY_VAR} to an EC P-256 private key in PEM (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256), or run with NODE_ENV=development to generate a throwaway one.`,
    );
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const generatedPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  appendFileSync(options.envFile, `${PRIVATE_KEY_VAR}="${generatedPem.trim().replaceAll('\n', '\\n')}"\n`, { mode: 0o600 });
  options.warn(
    `Generated a development token signing key into ${options.envFile}. Tokens it signs are trusted only by builds made with it; never use NODE_ENV=development in production.`,
  );
  return signingKeyFromPem(generatedPem);
}

/**
 * The public keys a validator build trusts: `AUTH_TRUSTED_KEYS` (a JWKS document or an array of
 * JWKs) when the build machine must not hold the private key, otherwise the signing key's own.
 */
export function loadTrustedKeys(options: LoadSigningKeyOptions): TrustedKey[] {
  const raw = options.env.AUTH_TRUSTED_KEYS ?? readEnvFile(options.envFile).AUTH_TRUSTED_KEYS;
  if (!raw) return [loadSigningKey(options).publicJwk];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new AuthError(
      'AUTH_TRUSTED_KEYS_INVALID',
      'AUTH_TRUSTED_KEYS is not valid JSON',
      'Give a JWKS document ({"keys":[...]}) or an array of public JWKs.',
      { cause },
    );
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new AuthError('AUTH_TRUSTED_KEYS_INVALID', 'AUTH_TRUSTED_KEYS holds no keys', 'Give a JWKS document ({"keys":[...]}) or an array of public JWKs.');
  }
  return list.map((jwk) => publicJwkOf(createPublicKey({ key: jwk, format: 'jwk' })));
}

// --- internal ---

function readEnvFile(file: string): Record<string, string> {
  return existsSync(file) ? dotenv.parse(readFileSync(file)) : {};
}

function signingKeyFromPem(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (cause) {
    throw new AuthError(
      'AUTH_SIGNING_KEY_INVALID',
      `${PRIVATE_KEY_VAR} is not a readable private key`,
      'Give an EC P-256 private key in PEM (PKCS#8 or SEC1).',
      { cause },
    );
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new AuthError(
      'AUTH_SIGNING_KEY_INVALID',
      `${PRIVATE_KEY_VAR} is a ${privateKey.asymmetricKeyType} key, not EC P-256`,
      'Tokens are signed with ES256: give an EC P-256 private key.',
    );
  }
  const publicJwk = publicJwkOf(createPublicKey(privateKey));
  return { kid: publicJwk.kid, privateKey, publicJwk };
}

function publicJwkOf(key: KeyObject): TrustedKey {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new AuthError(
      'AUTH_TRUSTED_KEYS_INVALID',
      `a trusted key is ${jwk.kty}/${jwk.crv ?? '-'}, not EC P-256`,
      'Tokens are signed with ES256: trust EC P-256 public keys only.',
    );
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: thumbprint(jwk.x, jwk.y), alg: 'ES256', use: 'sig' };
}

// RFC 7638 JWK thumbprint: a key id derived from the key itself, so it can never disagree with it.
function thumbprint(x: string, y: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: 'P-256', kty: 'EC', x, y }))
    .digest('base64url');
}
