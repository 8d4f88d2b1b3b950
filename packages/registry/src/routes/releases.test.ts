import { sign } from 'node:crypto';
import { parsePrivateKey, parsePublicKey, signingInput, signRelease, verifyRelease } from '@modmesh/manifest';
import {
  admin,
  bearer,
  createTestRegistry,
  expectAnswer,
  publishFixture,
  releaseFixture,
  setUpPublisher,
  sha256,
  type TestRegistry,
  uploadFiles,
} from '@modmesh/registry-test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
let publisher: Awaited<ReturnType<typeof setUpPublisher>>;

beforeEach(async () => {
  registry = await createTestRegistry({ maxFileBytes: 64 * 1024, maxJsonBytes: 32 * 1024 });
  publisher = await setUpPublisher(registry, 'auth');
});
afterEach(() => registry.cleanup());

async function versionsOf(name: string): Promise<string[]> {
  return (await registry.app.inject({ url: `/v1/remotes/${name}` })).json().versions?.map((entry: { version: string }) => entry.version) ?? [];
}

describe('publishing a release', () => {
  it('makes it readable: resolvable by version, range and tag, its signature verifiable, its files served immutable', async () => {
    const fixture = releaseFixture('auth', '1.0.0');
    const published = await publishFixture(registry, fixture, publisher, { tag: 'stable' });
    expect(published.statusCode).toBe(201);
    expect(published.json()).toEqual({ name: 'auth', version: '1.0.0', files: 2, tag: 'stable' });

    for (const spec of ['1.0.0', '^1', 'stable', '%3E%3D0.1.0']) {
      const resolved = await registry.app.inject({ url: `/v1/remotes/auth/resolve/${spec}` });
      expect(resolved.statusCode, spec).toBe(200);
      expect(resolved.json().version).toBe('1.0.0');
    }
    expect((await registry.app.inject({ url: '/v1/remotes/auth/resolve/stable' })).json().tag).toMatchObject({ name: 'stable', seq: 1 });

    const release = (await registry.app.inject({ url: '/v1/remotes/auth/releases/1.0.0' })).json();
    const trusted = new Map([[publisher.key.keyId, parsePublicKey(publisher.key.publicKey)]]);
    expect(verifyRelease(release, { trusted, expect: { name: 'auth', version: '1.0.0' } })).toEqual(fixture.manifest);

    const entry = fixture.files.get('remoteEntry.js') as Buffer;
    const blob = await registry.app.inject({ url: `/v1/blobs/${sha256(entry)}` });
    expect(blob.statusCode).toBe(200);
    expect(blob.rawPayload.equals(entry)).toBe(true);
    expect(blob.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(blob.headers['content-type']).toBe('application/javascript; charset=utf-8');
    // The second answer comes from the in-memory cache: same bytes, same headers.
    const again = await registry.app.inject({ url: `/v1/blobs/${sha256(entry)}` });
    expect(again.rawPayload.equals(entry)).toBe(true);
    expect([again.headers['content-type'], again.headers['cache-control'], again.headers['content-length']]).toEqual([
      blob.headers['content-type'],
      blob.headers['cache-control'],
      String(entry.length),
    ]);
  });

  it('refuses the same name@version twice with 409, even with identical bytes, and keeps the first', async () => {
    const fixture = releaseFixture('auth', '1.0.0');
    expect((await publishFixture(registry, fixture, publisher)).statusCode).toBe(201);
    const again = await publishFixture(registry, fixture, publisher);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('MODMESH_VERSION_EXISTS');
    const different = await publishFixture(registry, releaseFixture('auth', '1.0.0', 'other bytes'), publisher);
    expect(different.json().error.code).toBe('MODMESH_VERSION_EXISTS');
    const release = (await registry.app.inject({ url: '/v1/remotes/auth/releases/1.0.0' })).json();
    expect(release.manifest).toEqual(fixture.manifest);
  });
});

describe('bad input: a coded 4xx and nothing stored', () => {
  async function expectRefused(response: { statusCode: number; json(): { error: { code: string } } }, status: number, code: string) {
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
    expect(await versionsOf('auth')).toEqual([]);
  }

  it('an invalid remote name or version', async () => {
    await expectRefused(await registry.app.inject({ url: '/v1/remotes/Auth-Service' }), 400, 'MODMESH_INVALID_NAME');
    const badVersion = releaseFixture('auth', '1.0');
    await uploadFiles(registry, 'auth', publisher.token, badVersion.files);
    const response = await registry.app.inject({
      method: 'POST',
      url: '/v1/remotes/auth/releases',
      headers: bearer(publisher.token),
      payload: { manifest: badVersion.manifest, signature: signedSignature(badVersion.manifest) },
    });
    await expectRefused(response, 400, 'MODMESH_INVALID_VERSION');
    await expectRefused(await registry.app.inject({ url: '/v1/remotes/auth/resolve/not a spec!' }), 400, 'MODMESH_INVALID_SPEC');
  });

  it.each(['../escape.js', '/etc/passwd', 'chunks\\evil.js'])('a file path %j', async (badPath) => {
    const fixture = releaseFixture('auth', '1.0.0');
    const bytes = Buffer.from('evil');
    fixture.files.set(badPath, bytes);
    fixture.manifest.files.push({ path: badPath, size: bytes.length, sha256: sha256(bytes) });
    await uploadFiles(registry, 'auth', publisher.token, fixture.files);
    // Signed with the real key: the path itself is what is refused.
    const signed = { manifest: fixture.manifest, signature: signedSignature(fixture.manifest) };
    const response = await registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/releases', headers: bearer(publisher.token), payload: signed });
    await expectRefused(response, 400, 'MODMESH_UNSAFE_PATH');
  });

  it('a release whose container names a chunk that is not among its files, naming it', async () => {
    const fixture = releaseFixture('auth', '1.0.0');
    fixture.manifest.files = fixture.manifest.files.filter((file) => file.path !== 'chunks/expose.js');
    fixture.files.delete('chunks/expose.js');
    await uploadFiles(registry, 'auth', publisher.token, fixture.files);
    const signed = { manifest: fixture.manifest, signature: signedSignature(fixture.manifest) };
    const response = await registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/releases', headers: bearer(publisher.token), payload: signed });
    await expectRefused(response, 400, 'MODMESH_MANIFEST_INVALID');
    expect(response.json().error.message).toContain("./expose's chunk chunks/expose.js is not one of the release's files");
  });

  it('a file whose bytes do not match its hash, on upload', async () => {
    const response = await registry.app.inject({
      method: 'PUT',
      url: `/v1/remotes/auth/blobs/${sha256('expected')}`,
      headers: { ...bearer(publisher.token), 'content-type': 'application/octet-stream' },
      payload: Buffer.from('something else'),
    });
    await expectRefused(response, 400, 'MODMESH_HASH_MISMATCH');
    expect((await registry.app.inject({ url: `/v1/blobs/${sha256('expected')}` })).statusCode).toBe(404);
  });

  it('the files of a publish whose key is not trusted for the remote: refused before they are stored', async () => {
    const bytes = Buffer.from('module.exports = {};');
    const upload = (name: string, headers: Record<string, string> = {}) =>
      registry.app.inject({
        method: 'PUT',
        url: `/v1/remotes/${name}/blobs/${sha256(bytes)}`,
        headers: { ...admin(), 'content-type': 'application/octet-stream', ...headers },
        payload: bytes,
      });
    // No key is registered for billing: no release of it can be published, so it takes no files.
    const noKey = await upload('billing');
    expect([noKey.statusCode, noKey.json().error.code]).toEqual([403, 'MODMESH_KEY_NOT_TRUSTED']);
    // The upload names the key that will sign (modmesh publish does), and it is not auth's.
    const stranger = await upload('auth', { 'x-modmesh-key-id': 'not-a-registered-key' });
    expect([stranger.statusCode, stranger.json().error.code]).toEqual([403, 'MODMESH_KEY_NOT_TRUSTED']);
    expect(stranger.json().error.message).toContain('nothing was stored');
    expect((await registry.app.inject({ url: `/v1/blobs/${sha256(bytes)}` })).statusCode).toBe(404);

    const trusted = await upload('auth', { 'x-modmesh-key-id': publisher.key.keyId });
    expect(trusted.statusCode).toBe(201);
  });

  it('a manifest listing a file that was never uploaded, or with the wrong size', async () => {
    const fixture = releaseFixture('auth', '1.0.0');
    const chunk = fixture.files.get('chunks/expose.js') as Buffer;
    await uploadFiles(registry, 'auth', publisher.token, new Map([['remoteEntry.js', fixture.files.get('remoteEntry.js') as Buffer]]));
    const signed = signRelease(fixture.manifest, publisher.key.privateKeyPem);
    const missing = await registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/releases', headers: bearer(publisher.token), payload: signed });
    await expectRefused(missing, 400, 'MODMESH_FILE_MISSING');
    expect(missing.json().error.file).toBe('chunks/expose.js');

    await uploadFiles(registry, 'auth', publisher.token, new Map([['chunk', chunk]]));
    const wrongSize = releaseFixture('auth', '1.0.0');
    wrongSize.manifest.files = wrongSize.manifest.files.map((file) => (file.path === 'chunks/expose.js' ? { ...file, size: file.size + 1 } : file));
    const response = await registry.app.inject({
      method: 'POST',
      url: '/v1/remotes/auth/releases',
      headers: bearer(publisher.token),
      payload: signRelease(wrongSize.manifest, publisher.key.privateKeyPem),
    });
    await expectRefused(response, 400, 'MODMESH_HASH_MISMATCH');
  });

  it('a bad or missing signature, or one by a key not registered for this remote', async () => {
    const fixture = releaseFixture('auth', '1.0.0');
    await uploadFiles(registry, 'auth', publisher.token, fixture.files);
    const signed = signRelease(fixture.manifest, publisher.key.privateKeyPem);
    const post = (payload: unknown) =>
      registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/releases', headers: bearer(publisher.token), payload: payload as object });

    const tampered = { ...signed, manifest: { ...signed.manifest, build: { ...signed.manifest.build, bundler: 'rspack' } } };
    await expectRefused(await post(tampered), 400, 'MODMESH_SIGNATURE_INVALID');
    await expectRefused(await post({ manifest: signed.manifest }), 400, 'MODMESH_SIGNATURE_MISSING');

    const billing = await setUpPublisher(registry, 'billing');
    await expectRefused(await post(signRelease(fixture.manifest, billing.key.privateKeyPem)), 403, 'MODMESH_KEY_NOT_TRUSTED');
  });

  it('a missing token, an unknown one, or one scoped to another remote', async () => {
    const fixture = releaseFixture('auth', '1.0.0');
    const billing = await setUpPublisher(registry, 'billing');
    const signed = signRelease(fixture.manifest, publisher.key.privateKeyPem);
    const post = (headers: Record<string, string>) => registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/releases', headers, payload: signed });
    await expectRefused(await post({}), 401, 'MODMESH_AUTH_REQUIRED');
    await expectRefused(await post(bearer('mmp_not-a-real-token')), 401, 'MODMESH_AUTH_REQUIRED');
    await expectRefused(await post(bearer(billing.token)), 403, 'MODMESH_FORBIDDEN');
    const upload = await registry.app.inject({
      method: 'PUT',
      url: `/v1/remotes/auth/blobs/${sha256('x')}`,
      headers: { ...bearer(billing.token), 'content-type': 'application/octet-stream' },
      payload: Buffer.from('x'),
    });
    await expectRefused(upload, 403, 'MODMESH_FORBIDDEN');
    // Only an admin registers keys and creates tokens.
    const keyByPublisher = await registry.app.inject({
      method: 'POST',
      url: '/v1/remotes/auth/keys',
      headers: bearer(publisher.token),
      payload: { publicKey: publisher.key.publicKey },
    });
    expect([keyByPublisher.statusCode, keyByPublisher.json().error.code]).toEqual([403, 'MODMESH_FORBIDDEN']);
  });

  it('bodies over the size limits', async () => {
    const big = Buffer.alloc(65 * 1024, 1);
    const upload = await registry.app.inject({
      method: 'PUT',
      url: `/v1/remotes/auth/blobs/${sha256(big)}`,
      headers: { ...bearer(publisher.token), 'content-type': 'application/octet-stream' },
      payload: big,
    });
    await expectRefused(upload, 413, 'MODMESH_BODY_TOO_LARGE');
    const json = await registry.app.inject({
      method: 'POST',
      url: '/v1/remotes/auth/releases',
      headers: { ...bearer(publisher.token), 'content-type': 'application/json' },
      payload: JSON.stringify({ padding: 'x'.repeat(40 * 1024) }),
    });
    await expectRefused(json, 413, 'MODMESH_BODY_TOO_LARGE');
  });

  it('malformed JSON, or JSON that is not an object', async () => {
    const post = (payload: string) =>
      registry.app.inject({
        method: 'POST',
        url: '/v1/remotes/auth/releases',
        headers: { ...bearer(publisher.token), 'content-type': 'application/json' },
        payload,
      });
    await expectRefused(await post('{"manifest": '), 400, 'MODMESH_INVALID_JSON');
    await expectRefused(await post('[1, 2]'), 400, 'MODMESH_BAD_REQUEST');
    await expectRefused(await post('{"manifest": {"name": "auth", "version": "1.0.0"}, "signature": 7}'), 400, 'MODMESH_SIGNATURE_MISSING');
  });

  it('a bad public key when registering one, and a private key above all: refused, never stored or shown', async () => {
    const response = await registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/keys', headers: admin(), payload: { publicKey: 'ed25519:nope' } });
    expect([response.statusCode, response.json().error.code]).toEqual([400, 'MODMESH_KEY_INVALID']);
    const leak = await registry.app.inject({
      method: 'POST',
      url: '/v1/remotes/leak/keys',
      headers: admin(),
      payload: { publicKey: publisher.key.privateKeyPem },
    });
    expect([leak.statusCode, leak.json().error.code]).toEqual([400, 'MODMESH_KEY_INVALID']);
    const shown = await registry.app.inject({ url: '/v1/remotes/auth/keys' });
    expect(shown.body).not.toContain('PRIVATE');
    expect(shown.json().keys).toEqual([expect.objectContaining({ publicKey: publisher.key.publicKey })]);
  });
});

// signRelease refuses an invalid manifest; a hostile or buggy publisher signs whatever it likes.
function signedSignature(manifest: unknown) {
  const key = parsePrivateKey(publisher.key.privateKeyPem);
  return { algorithm: 'ed25519' as const, keyId: publisher.key.keyId, value: sign(null, signingInput(manifest), key).toString('base64') };
}

describe('the answers', () => {
  it('to an upload and a publish are the contract’s types, exactly', async () => {
    const fixture = releaseFixture('auth', '1.0.0');
    const upload = (bytes: Buffer) =>
      registry.app.inject({
        method: 'PUT',
        url: `/v1/remotes/auth/blobs/${sha256(bytes)}`,
        headers: { ...bearer(publisher.token), 'content-type': 'application/octet-stream' },
        payload: bytes,
      });
    for (const bytes of fixture.files.values()) {
      expect(expectAnswer('PUT /v1/remotes/:name/blobs/:sha256', await upload(bytes)).created).toBe(true);
      expect(expectAnswer('PUT /v1/remotes/:name/blobs/:sha256', await upload(bytes)).created).toBe(false);
    }
    const published = await publishFixture(registry, fixture, publisher, { tag: 'stable' });
    expect(expectAnswer('POST /v1/remotes/:name/releases', published)).toEqual({ name: 'auth', version: '1.0.0', files: 2, tag: 'stable' });
    expect(expectAnswer('POST /v1/remotes/:name/releases', await publishFixture(registry, releaseFixture('auth', '1.0.1'), publisher)).tag).toBeUndefined();
  });
});
