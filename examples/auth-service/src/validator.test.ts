import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it, vi } from 'vitest';
import { createTokenValidator, type TrustedKey } from './validator.js';

const ISSUER = 'test-issuer';
const AUDIENCE = 'test-audience';

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid } as TrustedKey;
  return { privateKey, publicKey, jwk };
}

const trusted = keyPair('trusted');
const stranger = keyPair('stranger');
const validate = createTokenValidator({ keys: [trusted.jwk], issuer: ISSUER, audience: AUDIENCE });

function sign(claims: Record<string, unknown> = {}, options: jwt.SignOptions = {}, key = trusted.privateKey, kid = 'trusted'): string {
  return jwt.sign({ username: 'alice', ...claims }, key, {
    algorithm: 'ES256',
    keyid: kid,
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'user-1',
    expiresIn: 60,
    ...options,
  });
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('validateJwtToken', () => {
  it('accepts a token from the trusted issuer and returns its user', () => {
    const result = validate(sign());
    expect(result).toMatchObject({ isValid: true, user: { username: 'alice', sub: 'user-1', iss: ISSUER, aud: AUDIENCE } });
  });

  it('rejects an expired token', () => {
    const result = validate(sign({}, { expiresIn: -60 }));
    expect(result).toEqual({ isValid: false, error: 'jwt expired', code: 'TOKEN_EXPIRED' });
  });

  it('rejects a token that is not valid yet', () => {
    const result = validate(sign({}, { notBefore: 3600 }));
    expect(result).toEqual({ isValid: false, error: 'jwt not active', code: 'TOKEN_NOT_YET_VALID' });
  });

  it('rejects a token whose payload was altered after signing', () => {
    const [header, , signature] = sign().split('.');
    const now = Math.floor(Date.now() / 1000);
    const forged = base64url({ username: 'admin', sub: 'user-0', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60 });
    expect(validate(`${header}.${forged}.${signature}`)).toEqual({ isValid: false, error: 'invalid signature', code: 'TOKEN_SIGNATURE_INVALID' });
    const [, payload] = sign().split('.');
    expect(validate(`${header}.${payload}.`)).toMatchObject({ isValid: false, code: 'TOKEN_SIGNATURE_INVALID' });
  });

  it('rejects alg "none"', () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT', kid: 'trusted' })}.${base64url({ username: 'alice', sub: 'user-1', iss: ISSUER, aud: AUDIENCE, exp: now + 60 })}.`;
    const result = validate(unsigned);
    expect(result.isValid).toBe(false);
    expect(result).toEqual({ isValid: false, error: 'token is signed with none, not ES256', code: 'TOKEN_ALGORITHM_REFUSED' });
  });

  it('rejects HS256 signed with the public key (algorithm confusion)', () => {
    const publicPem = createPublicKey(trusted.privateKey).export({ format: 'pem', type: 'spki' }).toString();
    const now = Math.floor(Date.now() / 1000);
    const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: 'trusted' })}.${base64url({ username: 'alice', sub: 'user-1', iss: ISSUER, aud: AUDIENCE, exp: now + 60 })}`;
    const mac = createHmac('sha256', publicPem).update(signingInput).digest('base64url');
    expect(validate(`${signingInput}.${mac}`)).toEqual({ isValid: false, error: 'token is signed with HS256, not ES256', code: 'TOKEN_ALGORITHM_REFUSED' });
  });

  it('rejects a token signed by a key it does not trust, even with a trusted kid', () => {
    expect(validate(sign({}, {}, stranger.privateKey, 'trusted'))).toEqual({ isValid: false, error: 'invalid signature', code: 'TOKEN_SIGNATURE_INVALID' });
    expect(validate(sign({}, {}, stranger.privateKey, 'stranger'))).toEqual({
      isValid: false,
      error: 'token is signed by an unknown key (kid stranger)',
      code: 'TOKEN_KEY_UNKNOWN',
    });
  });

  it('rejects a wrong issuer and a wrong audience', () => {
    expect(validate(sign({}, { issuer: 'someone-else' }))).toEqual({
      isValid: false,
      error: `jwt issuer invalid. expected: ${ISSUER}`,
      code: 'TOKEN_CLAIMS_INVALID',
    });
    expect(validate(sign({}, { audience: 'another-api' }))).toEqual({
      isValid: false,
      error: `jwt audience invalid. expected: ${AUDIENCE}`,
      code: 'TOKEN_CLAIMS_INVALID',
    });
  });

  it('rejects garbage, an empty string and an oversized token without throwing', () => {
    expect(validate('not-a-token')).toEqual({ isValid: false, error: 'jwt malformed', code: 'TOKEN_MALFORMED' });
    expect(validate('a.b.c')).toEqual({ isValid: false, error: 'jwt malformed', code: 'TOKEN_MALFORMED' });
    expect(validate('')).toEqual({ isValid: false, error: 'token is empty', code: 'TOKEN_EMPTY' });
    expect(validate(sign({ padding: 'x'.repeat(5000) }))).toEqual({ isValid: false, error: 'token is longer than 4096 characters', code: 'TOKEN_TOO_LARGE' });
    expect(validate(undefined as unknown as string)).toEqual({ isValid: false, error: 'token is empty', code: 'TOKEN_EMPTY' });
  });

  it('rejects a token without a key id or without a username', () => {
    const noKid = jwt.sign({ username: 'alice' }, trusted.privateKey, { algorithm: 'ES256', issuer: ISSUER, audience: AUDIENCE, subject: 'u', expiresIn: 60 });
    expect(validate(noKid)).toEqual({ isValid: false, error: 'token has no key id (kid)', code: 'TOKEN_KEY_UNKNOWN' });
    const noUsername = jwt.sign({}, trusted.privateKey, {
      algorithm: 'ES256',
      keyid: 'trusted',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'u',
      expiresIn: 60,
    });
    expect(validate(noUsername)).toEqual({ isValid: false, error: 'token lacks the sub, username or exp claims', code: 'TOKEN_CLAIMS_INVALID' });
  });

  it('answers every malformed segment with TOKEN_MALFORMED and never throws', () => {
    const header = base64url({ alg: 'ES256', typ: 'JWT', kid: 'trusted' });
    const payload = base64url({ username: 'alice', sub: 'user-1' });
    for (const token of [
      // A JWT header over a payload that is not JSON: jsonwebtoken's decode throws on this one.
      `${header}.${Buffer.from('{not json').toString('base64url')}.sig`,
      `${base64url(null)}.${payload}.sig`,
      `${base64url([1])}.${payload}.sig`,
      `${header}.${base64url([1, 2])}.sig`,
      `${header}.${base64url('a string')}.sig`,
      `${header}.${payload}.not+base64/url=`,
      `${header}.${payload}`,
      `${header}.${payload}.sig.extra`,
      `${Buffer.from([0xff, 0xfe]).toString('base64url')}.${payload}.sig`,
    ]) {
      expect(validate(token), token).toMatchObject({ isValid: false, code: 'TOKEN_MALFORMED' });
    }
  });

  it('refuses an oversized token before parsing anything of it', () => {
    const verify = vi.spyOn(jwt, 'verify');
    const parse = vi.spyOn(JSON, 'parse');
    const huge = `${base64url({ alg: 'ES256', kid: 'trusted' })}.${'A'.repeat(100 * 1024)}.sig`;
    expect(validate(huge)).toMatchObject({ isValid: false, code: 'TOKEN_TOO_LARGE' });
    expect([parse.mock.calls.length, verify.mock.calls.length]).toEqual([0, 0]);
    vi.restoreAllMocks();
  });

  it('refuses a validly signed token without an expiry: it would never expire', () => {
    const forever = jwt.sign({ username: 'alice' }, trusted.privateKey, {
      algorithm: 'ES256',
      keyid: 'trusted',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'u',
    });
    expect(validate(forever)).toMatchObject({ isValid: false, code: 'TOKEN_CLAIMS_INVALID' });
  });

  it('refuses to be built with a private key or with no key', () => {
    const privateJwk = { ...trusted.privateKey.export({ format: 'jwk' }), kid: 'oops' } as TrustedKey;
    expect(() => createTokenValidator({ keys: [privateJwk], issuer: ISSUER, audience: AUDIENCE })).toThrow(/private key/);
    expect(() => createTokenValidator({ keys: [], issuer: ISSUER, audience: AUDIENCE })).toThrow(/at least one/);
  });

  it('trusts every key it is given, for key rotation', () => {
    const both = createTokenValidator({ keys: [trusted.jwk, stranger.jwk], issuer: ISSUER, audience: AUDIENCE });
    expect(both(sign({}, {}, stranger.privateKey, 'stranger')).isValid).toBe(true);
    expect(both(sign()).isValid).toBe(true);
  });
});
