import {
  admin,
  bearer,
  createTestRegistry,
  expectRefusal,
  publishFixture,
  releaseFixture,
  setUpPublisher,
  sha256,
  type TestRegistry,
} from '@modmesh/registry-test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;

beforeEach(async () => {
  registry = await createTestRegistry();
  await publishFixture(registry, releaseFixture('auth', '1.0.0'), await setUpPublisher(registry, 'auth'));
});
afterEach(() => registry.cleanup());

describe('release files by path', () => {
  it('serves the signed bytes under the path the manifest gives them, immutable and readable from any origin', async () => {
    const fixture = releaseFixture('auth', '1.0.0');
    const response = await registry.app.inject({ url: '/v1/remotes/auth/releases/1.0.0/files/chunks/expose.js' });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(fixture.files.get('chunks/expose.js')!)).toBe(true);
    expect(response.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(response.headers['cache-control']).toContain('immutable');
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers a coded 4xx for a path the release does not hold, however it is spelled', async () => {
    for (const file of ['missing.js', '../1.0.0/files/remoteEntry.js', '%2e%2e/%2e%2e/registry.db', '%00']) {
      const response = await registry.app.inject({ url: `/v1/remotes/auth/releases/1.0.0/files/${file}` });
      expect([400, 404], file).toContain(response.statusCode);
      expect(response.json().error.code, file).toMatch(/^MODMESH_(NOT_FOUND|INVALID_VERSION|BAD_REQUEST)$/);
    }
    const unknown = await registry.app.inject({ url: '/v1/remotes/auth/releases/9.9.9/files/remoteEntry.js' });
    // A file route answers bytes, or a refusal in the contract's one error shape.
    expect(expectRefusal(unknown)).toMatchObject({ code: 'MODMESH_NOT_FOUND', remote: 'auth', version: '9.9.9' });
    expect(expectRefusal(await registry.app.inject({ url: `/v1/blobs/${'0'.repeat(64)}` })).code).toBe('MODMESH_NOT_FOUND');
  });
});

describe('release files by their release document, for pages on a registry that requires read tokens', () => {
  it('serves them without a token under the SHA-256 of the signed release document, only to whoever knows it', async () => {
    const closed = await createTestRegistry({ requireReadToken: true });
    try {
      const fixture = releaseFixture('auth', '1.0.0');
      await publishFixture(closed, fixture, await setUpPublisher(closed, 'auth'));
      await publishFixture(closed, releaseFixture('billing', '1.0.0'), await setUpPublisher(closed, 'billing'));
      const reader = (await closed.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { role: 'read' } })).json().token;
      const documentOf = async (remote: string) =>
        sha256((await closed.app.inject({ url: `/v1/remotes/${remote}/releases/1.0.0/document`, headers: bearer(reader) })).rawPayload);
      const auth = await documentOf('auth');

      // What a <script> sends: no token. By version, refused; by its document, the signed bytes.
      expect(expectRefusal(await closed.app.inject({ url: '/v1/remotes/auth/releases/1.0.0/files/chunks/expose.js' })).code).toBe('MODMESH_AUTH_REQUIRED');
      const response = await closed.app.inject({ url: `/v1/remotes/auth/documents/${auth}/files/chunks/expose.js` });
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.equals(fixture.files.get('chunks/expose.js')!)).toBe(true);
      expect(response.headers['cache-control']).toContain('immutable');
      expect(response.headers['access-control-allow-origin']).toBe('*');

      // Nothing else opens with it: another hash, another remote's document, a file the release does not hold.
      for (const url of [
        `/v1/remotes/auth/documents/${'0'.repeat(64)}/files/chunks/expose.js`,
        `/v1/remotes/auth/documents/${auth.toUpperCase()}/files/chunks/expose.js`,
        `/v1/remotes/auth/documents/${await documentOf('billing')}/files/chunks/expose.js`,
        `/v1/remotes/auth/documents/${auth}/files/../../1.0.0/files/remoteEntry.js`,
        `/v1/remotes/auth/documents/${auth}/files/missing.js`,
      ]) {
        expect([expectRefusal(await closed.app.inject({ url })).code, url]).toEqual(['MODMESH_NOT_FOUND', url]);
      }
    } finally {
      await closed.cleanup();
    }
  });
});
