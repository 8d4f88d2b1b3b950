import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePublisherKeyPair } from './keys.js';
import type { ReleaseManifest } from './schema.js';
import { signRelease, verifyRelease } from './signing.js';
import { importTrustedKeys, integrityOf, verifyReleaseWeb } from './web.js';

// Node's WebCrypto is the same API a browser's is; these run the browser code path.
const publisher = generatePublisherKeyPair();
const other = generatePublisherKeyPair();

const manifest: ReleaseManifest = {
  schema: 'modmesh.release/v1',
  name: 'auth',
  version: '1.1.0',
  files: [{ path: 'web/remoteEntry.js', size: 10, sha256: 'a'.repeat(64) }],
  containers: [{ target: 'web', name: 'auth', entry: 'web/remoteEntry.js', exposes: [{ name: './LoginForm', files: [] }], shared: [] }],
  build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: '2026-11-22T03:00:00.000Z' },
};

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

describe('verifyReleaseWeb', () => {
  it('accepts what the Node verifier accepts, with the same key id', async () => {
    const signed = signRelease(manifest, publisher.privateKeyPem);
    const trusted = await importTrustedKeys([publisher.publicKey]);
    expect([...trusted.keys()]).toEqual([publisher.keyId]);
    expect(await verifyReleaseWeb(JSON.parse(JSON.stringify(signed)), { trusted, expect: { name: 'auth', version: '1.1.0' } })).toEqual(manifest);
  });

  it('refuses what the Node verifier refuses, with the same codes', async () => {
    const signed = signRelease(manifest, publisher.privateKeyPem);
    const trusted = await importTrustedKeys([publisher.publicKey]);
    const tampered = { ...signed, manifest: { ...signed.manifest, version: '1.2.0' } };
    const foreign = signRelease(manifest, other.privateKeyPem);
    const unknownField = { ...signed, manifest: { ...signed.manifest, extra: true } };
    expect(await codeOf(verifyReleaseWeb(tampered, { trusted }))).toBe('MODMESH_SIGNATURE_INVALID');
    expect(await codeOf(verifyReleaseWeb(foreign, { trusted }))).toBe('MODMESH_KEY_NOT_TRUSTED');
    expect(await codeOf(verifyReleaseWeb(unknownField, { trusted }))).toBe('MODMESH_SIGNATURE_INVALID');
    expect(await codeOf(verifyReleaseWeb({ manifest }, { trusted }))).toBe('MODMESH_SIGNATURE_MISSING');
    expect(await codeOf(verifyReleaseWeb({ ...signed, signature: { ...signed.signature, value: '!!' } }, { trusted }))).toBe('MODMESH_SIGNATURE_INVALID');
    expect(await codeOf(verifyReleaseWeb(signed, { trusted, expect: { name: 'user' } }))).toBe('MODMESH_MANIFEST_MISMATCH');
    // The same cases through Node's verifier, so the two cannot drift apart.
    const nodeTrusted = new Map([[publisher.keyId, (await import('./keys.js')).parsePublicKey(publisher.publicKey)]]);
    expect(() => verifyRelease(tampered, { trusted: nodeTrusted })).toThrow(expect.objectContaining({ code: 'MODMESH_SIGNATURE_INVALID' }));
    expect(() => verifyRelease(foreign, { trusted: nodeTrusted })).toThrow(expect.objectContaining({ code: 'MODMESH_KEY_NOT_TRUSTED' }));
  });

  it('refuses keys that are not compact Ed25519 public keys', async () => {
    expect(await codeOf(importTrustedKeys(['ed25519:short']))).toBe('MODMESH_KEY_INVALID');
    expect(await codeOf(importTrustedKeys([publisher.privateKeyPem]))).toBe('MODMESH_KEY_INVALID');
  });
});

describe('integrityOf', () => {
  it('turns a manifest hash into the Subresource Integrity value a browser checks', () => {
    const bytes = Buffer.from('console.log(1)');
    const hex = createHash('sha256').update(bytes).digest('hex');
    expect(integrityOf(hex)).toBe(`sha256-${createHash('sha256').update(bytes).digest('base64')}`);
    expect(() => integrityOf('zz')).toThrow(expect.objectContaining({ code: 'MODMESH_MANIFEST_INVALID' }));
  });
});
