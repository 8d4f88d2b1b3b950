import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSigningKey, loadTrustedKeys } from './keys.js';

function tempEnvFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'auth-keys-')), '.env');
}

function pem(curve = 'P-256'): string {
  return generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

describe('loadSigningKey', () => {
  it('refuses to start without a key outside development, and writes nothing', () => {
    const envFile = tempEnvFile();
    for (const NODE_ENV of [undefined, 'production', 'test']) {
      expect(() => loadSigningKey({ env: { NODE_ENV }, envFile, warn: () => {} })).toThrow(expect.objectContaining({ code: 'AUTH_SIGNING_KEY_MISSING' }));
    }
    expect(() => statSync(envFile)).toThrow(/ENOENT/);
  });

  it('in development, generates a key once into the .env file (mode 0600), warns, and reuses it', () => {
    const envFile = tempEnvFile();
    const warnings: string[] = [];
    const first = loadSigningKey({ env: { NODE_ENV: 'development' }, envFile, warn: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(envFile);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(envFile, 'utf8')).toMatch(/^AUTH_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\\n/);

    const again = loadSigningKey({ env: { NODE_ENV: 'development' }, envFile, warn: (message) => warnings.push(message) });
    expect(again.kid).toBe(first.kid);
    expect(warnings).toHaveLength(1);
  });

  it('prefers the environment over the .env file, and derives the kid from the key', () => {
    const key = pem();
    const a = loadSigningKey({ env: { AUTH_PRIVATE_KEY: key }, envFile: tempEnvFile(), warn: () => {} });
    const b = loadSigningKey({ env: { AUTH_PRIVATE_KEY: key }, envFile: tempEnvFile(), warn: () => {} });
    expect(a.kid).toBe(b.kid);
    expect(a.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: a.kid });
    expect(a.publicJwk).not.toHaveProperty('d');
  });

  it('refuses a key that is not EC P-256, or not a key', () => {
    const envFile = tempEnvFile();
    expect(() => loadSigningKey({ env: { AUTH_PRIVATE_KEY: pem('P-384') }, envFile, warn: () => {} })).toThrow(
      expect.objectContaining({ code: 'AUTH_SIGNING_KEY_INVALID' }),
    );
    expect(() => loadSigningKey({ env: { AUTH_PRIVATE_KEY: 'supersecretkey' }, envFile, warn: () => {} })).toThrow(
      expect.objectContaining({ code: 'AUTH_SIGNING_KEY_INVALID' }),
    );
  });
});

describe('loadTrustedKeys', () => {
  it('trusts the signing key by default, or exactly the public keys given', () => {
    const key = pem();
    const own = loadTrustedKeys({ env: { AUTH_PRIVATE_KEY: key }, envFile: tempEnvFile(), warn: () => {} });
    expect(own).toHaveLength(1);

    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const given = loadTrustedKeys({ env: { AUTH_TRUSTED_KEYS: JSON.stringify({ keys: [other, own[0]] }) }, envFile: tempEnvFile(), warn: () => {} });
    expect(given.map((jwk) => jwk.x)).toEqual([other.x, own[0]?.x]);
    expect(() => loadTrustedKeys({ env: { AUTH_TRUSTED_KEYS: '[]' }, envFile: tempEnvFile(), warn: () => {} })).toThrow(
      expect.objectContaining({ code: 'AUTH_TRUSTED_KEYS_INVALID' }),
    );
  });
});
