import { createTestRegistry, expectRefusal, publishFixture, releaseFixture, setUpPublisher, type TestRegistry } from '@modmesh/registry-test-utils';
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
