import { describe, expect, it } from 'vitest';
import { fromBase64 } from './base64.js';
import { generatePublisherKeyPair } from './keys.js';
import { type ReleaseCryptoPort, verifyReleaseThreshold } from './release-threshold.js';
import type { ReleaseManifest } from './schema.js';
import { signRelease } from './signing.js';

// Node's WebCrypto: the same port a browser host gives.
const webCrypto: ReleaseCryptoPort = {
  sha256: async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes))),
  verifyEd25519: async (key, message, signature) =>
    crypto.subtle.verify(
      'Ed25519',
      await crypto.subtle.importKey('raw', new Uint8Array(key), 'Ed25519', false, ['verify']),
      new Uint8Array(signature),
      new Uint8Array(message),
    ),
};

const [k, l, m] = [generatePublisherKeyPair(), generatePublisherKeyPair(), generatePublisherKeyPair()];
const raw = (publicKey: string) => fromBase64(publicKey.slice('ed25519:'.length)) as Uint8Array;

const manifest: ReleaseManifest = {
  schema: 'modmesh.release/v1',
  name: 'auth',
  version: '1.1.0',
  files: [{ path: 'remoteEntry.js', size: 10, sha256: 'a'.repeat(64) }],
  containers: [{ target: 'node', name: 'auth', entry: 'remoteEntry.js', exposes: [{ name: './tokenValidator' }], shared: [] }],
  build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: '2026-11-22T03:00:00.000Z' },
};

function twoSigned() {
  const first = signRelease(manifest, k.privateKeyPem);
  return { manifest: first.manifest, signatures: [first.signature, signRelease(manifest, l.privateKeyPem).signature] };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

describe('verifyReleaseThreshold', () => {
  it("accepts today's single-signature envelope from one of the publisher keys", async () => {
    const signed = JSON.parse(JSON.stringify(signRelease(manifest, k.privateKeyPem)));
    const keys = [raw(l.publicKey), raw(k.publicKey)];
    expect(await verifyReleaseThreshold(signed, { keys, threshold: 1, crypto: webCrypto, expect: { name: 'auth', version: '1.1.0' } })).toEqual(manifest);
  });

  it('counts each publisher key once towards the threshold', async () => {
    const keys = [raw(k.publicKey), raw(l.publicKey)];
    expect(await verifyReleaseThreshold(twoSigned(), { keys, threshold: 2, crypto: webCrypto })).toEqual(manifest);
    const once = signRelease(manifest, k.privateKeyPem);
    const repeated = { manifest: once.manifest, signatures: [once.signature, once.signature] };
    expect(await codeOf(verifyReleaseThreshold(repeated, { keys, threshold: 2, crypto: webCrypto }))).toBe('MODMESH_KEY_NOT_TRUSTED');
  });

  it('ignores signatures by keys that are not publishers, and refuses when no publisher signed', async () => {
    const keys = [raw(k.publicKey), raw(m.publicKey)];
    // l is not a publisher: its signature neither counts nor spoils k's.
    expect(await verifyReleaseThreshold(twoSigned(), { keys, threshold: 1, crypto: webCrypto })).toEqual(manifest);
    expect(await codeOf(verifyReleaseThreshold(twoSigned(), { keys, threshold: 2, crypto: webCrypto }))).toBe('MODMESH_KEY_NOT_TRUSTED');
    expect(await codeOf(verifyReleaseThreshold(twoSigned(), { keys: [raw(m.publicKey)], threshold: 1, crypto: webCrypto }))).toBe('MODMESH_KEY_NOT_TRUSTED');
  });

  it('refuses an altered manifest and an envelope without signatures', async () => {
    const keys = [raw(k.publicKey), raw(l.publicKey)];
    const altered = { ...twoSigned(), manifest: { ...manifest, version: '1.2.0' } };
    expect(await codeOf(verifyReleaseThreshold(altered, { keys, threshold: 1, crypto: webCrypto }))).toBe('MODMESH_SIGNATURE_INVALID');
    expect(await codeOf(verifyReleaseThreshold({ manifest, signatures: [] }, { keys, threshold: 1, crypto: webCrypto }))).toBe('MODMESH_SIGNATURE_MISSING');
    const mangled = { manifest, signatures: [twoSigned().signatures[0], { algorithm: 'rsa' }] };
    expect(await codeOf(verifyReleaseThreshold(mangled, { keys, threshold: 1, crypto: webCrypto }))).toBe('MODMESH_SIGNATURE_MISSING');
  });

  it('refuses a validly signed manifest for another release than the one expected', async () => {
    const keys = [raw(k.publicKey)];
    const expectOther = { name: 'auth', version: '1.0.0' };
    expect(await codeOf(verifyReleaseThreshold(twoSigned(), { keys, threshold: 1, crypto: webCrypto, expect: expectOther }))).toBe('MODMESH_MANIFEST_MISMATCH');
  });
});
