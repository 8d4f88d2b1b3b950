import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { generatePublisherKeyPair, keyIdOf, parsePublicKey } from './keys.js';
import type { ReleaseManifest } from './schema.js';
import { parseReleaseManifest, signingInput, signRelease, verifyRelease } from './signing.js';

const publisher = generatePublisherKeyPair();
const other = generatePublisherKeyPair();
const trusted = new Map([[publisher.keyId, parsePublicKey(publisher.publicKey)]]);

function manifest(overrides: Partial<ReleaseManifest> = {}): ReleaseManifest {
  return {
    schema: 'modmesh.release/v1',
    name: 'auth',
    version: '1.0.0',
    files: [
      { path: 'remoteEntry.js', size: 10, sha256: 'a'.repeat(64) },
      { path: 'chunks/validator.js', size: 20, sha256: 'b'.repeat(64) },
    ],
    containers: [
      {
        target: 'node',
        name: 'auth',
        entry: 'remoteEntry.js',
        exposes: [{ name: './tokenValidator', files: ['chunks/validator.js'] }],
        shared: [{ name: 'jsonwebtoken', version: '9.0.3', requiredVersion: '^9.0.0', singleton: true }],
      },
    ],
    build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: '2026-11-22T03:00:00.000Z' },
    ...overrides,
  };
}

describe('canonicalJson', () => {
  it('gives the same bytes whatever the key order, and no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 'é', y: -2 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":-2,"z":"é"}}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses what has no single spelling: floats, NaN, non-plain objects', () => {
    expect(() => canonicalJson({ a: 1.5 })).toThrow(/not a safe integer/);
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/not a safe integer/);
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(/no canonical JSON form/);
    expect(() => canonicalJson({ a: 2n })).toThrow(/no canonical JSON form/);
  });
});

describe('signRelease / verifyRelease', () => {
  it('round-trips through JSON text: what the registry stores and a host reads back verifies', () => {
    const signed = signRelease(manifest(), publisher.privateKeyPem);
    expect(signed.signature).toMatchObject({ algorithm: 'ed25519', keyId: publisher.keyId });
    const received = JSON.parse(JSON.stringify(signed));
    expect(verifyRelease(received, { trusted, expect: { name: 'auth', version: '1.0.0' } })).toEqual(manifest());
  });

  it('covers the canonical bytes, not the text: reordered keys still verify', () => {
    const signed = signRelease(manifest(), publisher.privateKeyPem);
    const reordered = JSON.parse(JSON.stringify({ signature: signed.signature, manifest: { ...signed.manifest, name: undefined, version: '1.0.0' } }));
    reordered.manifest = { version: '1.0.0', name: 'auth', ...reordered.manifest };
    expect(verifyRelease(reordered, { trusted }).name).toBe('auth');
  });

  it('fails on any flipped byte of the signed content', () => {
    const signed = signRelease(manifest(), publisher.privateKeyPem);
    const bytes = signingInput(signed.manifest);
    // Flip one byte at a time in the manifest's canonical text and re-parse it: every
    // change that still parses as JSON must fail verification.
    const text = bytes.toString('utf8').slice('modmesh-release-signature-v1\n'.length);
    let checked = 0;
    for (let index = 0; index < text.length; index += 7) {
      const flipped = text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ 1) + text.slice(index + 1);
      let parsed: unknown;
      try {
        parsed = JSON.parse(flipped);
      } catch {
        continue;
      }
      checked += 1;
      expect(() => verifyRelease({ manifest: parsed, signature: signed.signature }, { trusted })).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^MODMESH_(SIGNATURE_INVALID|MANIFEST_INVALID)$/) }),
      );
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('fails on a flipped signature bit, a wrong key, and a missing signature', () => {
    const signed = signRelease(manifest(), publisher.privateKeyPem);
    const signature = Buffer.from(signed.signature.value, 'base64');
    signature[10] = (signature[10] ?? 0) ^ 0x01;
    expect(() => verifyRelease({ ...signed, signature: { ...signed.signature, value: signature.toString('base64') } }, { trusted })).toThrow(
      expect.objectContaining({ code: 'MODMESH_SIGNATURE_INVALID', remote: 'auth', version: '1.0.0' }),
    );

    const byOther = signRelease(manifest(), other.privateKeyPem);
    expect(() => verifyRelease(byOther, { trusted })).toThrow(expect.objectContaining({ code: 'MODMESH_KEY_NOT_TRUSTED' }));
    // Claiming a trusted key id does not help a signature made with another key.
    expect(() => verifyRelease({ ...byOther, signature: { ...byOther.signature, keyId: publisher.keyId } }, { trusted })).toThrow(
      expect.objectContaining({ code: 'MODMESH_SIGNATURE_INVALID' }),
    );
    expect(() => verifyRelease({ manifest: signed.manifest }, { trusted })).toThrow(expect.objectContaining({ code: 'MODMESH_SIGNATURE_MISSING' }));
  });

  it('refuses a validly signed manifest for another remote or version than asked', () => {
    const signed = signRelease(manifest({ version: '0.9.0' }), publisher.privateKeyPem);
    expect(() => verifyRelease(signed, { trusted, expect: { name: 'auth', version: '1.0.0' } })).toThrow(
      expect.objectContaining({ code: 'MODMESH_MANIFEST_MISMATCH' }),
    );
    expect(() => verifyRelease(signed, { trusted, expect: { name: 'billing' } })).toThrow(expect.objectContaining({ code: 'MODMESH_MANIFEST_MISMATCH' }));
  });
});

describe('parseReleaseManifest', () => {
  it.each(['../etc/passwd', '/etc/passwd', 'chunks\\evil.js', 'a/./b.js', 'a//b.js', 'C:x.js', 'ok/../../up.js', 'nul\u0000.js'])(
    'refuses the unsafe path %j with MODMESH_UNSAFE_PATH',
    (path) => {
      const files = [...manifest().files, { path, size: 1, sha256: 'c'.repeat(64) }];
      expect(() => parseReleaseManifest({ ...manifest(), files })).toThrow(expect.objectContaining({ code: 'MODMESH_UNSAFE_PATH', file: path }));
    },
  );

  it('lists every schema problem at once', () => {
    const bad = { ...manifest(), name: 'Auth-Service', version: '1.0', files: [{ path: 'remoteEntry.js', size: -1, sha256: 'xyz' }], extra: true };
    let message = '';
    try {
      parseReleaseManifest(bad);
    } catch (error) {
      expect(error).toMatchObject({ code: 'MODMESH_MANIFEST_INVALID' });
      message = (error as Error).message;
    }
    for (const field of ['name', 'version', 'files.0.size', 'files.0.sha256', 'extra']) expect(message).toContain(field);
  });

  it('refuses an entry that is not among the files, and duplicate paths', () => {
    const missingEntry = manifest({ containers: [{ ...manifest().containers[0]!, entry: 'nope.js' }] });
    expect(() => parseReleaseManifest(missingEntry)).toThrow(/entry nope.js is not one of the release's files/);
    const duplicate = manifest({ files: [...manifest().files, { path: 'remoteEntry.js', size: 1, sha256: 'c'.repeat(64) }] });
    expect(() => parseReleaseManifest(duplicate)).toThrow(/remoteEntry.js is listed twice/);
  });
});

describe('keys', () => {
  it('reads the compact and the PEM form of a public key as the same key with the same id', () => {
    const pem = parsePublicKey(publisher.publicKey).export({ format: 'pem', type: 'spki' }).toString();
    expect(keyIdOf(pem)).toBe(publisher.keyId);
    expect(keyIdOf(parsePublicKey(pem))).toBe(keyIdOf(publisher.publicKey));
    expect(publisher.keyId).not.toBe(other.keyId);
  });

  it('refuses a private key given as a public one, instead of deriving its public half', () => {
    expect(() => parsePublicKey(publisher.privateKeyPem)).toThrow(
      expect.objectContaining({ code: 'MODMESH_KEY_INVALID', message: expect.stringContaining('private key') }),
    );
  });

  it('refuses keys that are not Ed25519 public keys', () => {
    expect(() => parsePublicKey('ed25519:AAAA')).toThrow(expect.objectContaining({ code: 'MODMESH_KEY_INVALID' }));
    expect(() => parsePublicKey('hello')).toThrow(expect.objectContaining({ code: 'MODMESH_KEY_INVALID' }));
  });
});
