import { generatePublisherKeyPair } from '@modmesh/manifest';
import {
  admin,
  bearer,
  createTestRegistry,
  expectAnswer,
  publishFixture,
  releaseFixture,
  setUpPublisher,
  type TestRegistry,
} from '@modmesh/registry-test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
beforeEach(async () => {
  registry = await createTestRegistry({ requireReadToken: true });
});
afterEach(() => registry.cleanup());

function post(url: string, payload: Record<string, unknown>, headers = admin()) {
  return registry.app.inject({ method: 'POST', url, headers, payload });
}

describe('publisher keys', () => {
  it('are registered per remote, listed with their labels, and once removed sign nothing more', async () => {
    const publisher = await setUpPublisher(registry, 'auth');
    const second = generatePublisherKeyPair();
    const added = await post('/v1/remotes/auth/keys', { publicKey: second.publicKey, label: 'laptop' });
    expect([added.statusCode, added.json()]).toEqual([201, { name: 'auth', keyId: second.keyId }]);
    const listed = (await registry.app.inject({ url: '/v1/remotes/auth/keys', headers: admin() })).json().keys;
    expect(listed.map((key: { keyId: string; label: string }) => [key.keyId, key.label]).sort()).toEqual(
      [
        [publisher.key.keyId, ''],
        [second.keyId, 'laptop'],
      ].sort(),
    );
    expect((await registry.app.inject({ url: '/v1/remotes/billing/keys', headers: admin() })).json().keys).toEqual([]);

    const removed = await registry.app.inject({ method: 'DELETE', url: `/v1/remotes/auth/keys/${publisher.key.keyId}`, headers: admin() });
    expect(removed.json()).toEqual({ name: 'auth', keyId: publisher.key.keyId, removed: true });
    const again = await registry.app.inject({ method: 'DELETE', url: `/v1/remotes/auth/keys/${publisher.key.keyId}`, headers: admin() });
    expect([again.statusCode, again.json().error.code]).toEqual([404, 'MODMESH_NOT_FOUND']);
    const refused = await publishFixture(registry, releaseFixture('auth', '1.0.0'), publisher);
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'MODMESH_KEY_NOT_TRUSTED']);
  });

  it('need the admin token to change, and a public key to register', async () => {
    const { token } = await setUpPublisher(registry, 'auth');
    const key = generatePublisherKeyPair();
    const byPublisher = await registry.app.inject({ method: 'DELETE', url: '/v1/remotes/auth/keys/anything', headers: bearer(token) });
    expect([byPublisher.statusCode, byPublisher.json().error.code]).toEqual([403, 'MODMESH_FORBIDDEN']);
    const anonymous = await post('/v1/remotes/auth/keys', { publicKey: key.publicKey }, {});
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'MODMESH_AUTH_REQUIRED']);
    const none = await post('/v1/remotes/auth/keys', { label: 'no key' });
    expect([none.statusCode, none.json().error]).toEqual([
      400,
      expect.objectContaining({ code: 'MODMESH_BAD_REQUEST', message: '"publicKey" is required (ed25519:<base64url> or an SPKI PEM)', remote: 'auth' }),
    ]);
    const badName = await post('/v1/remotes/Auth/keys', { publicKey: key.publicKey });
    expect([badName.statusCode, badName.json().error.code]).toEqual([400, 'MODMESH_INVALID_NAME']);
  });
});

describe('tokens', () => {
  it('are made by the admin: a publish token for one remote, a read token for reading', async () => {
    const publish = await post('/v1/tokens', { remote: 'auth', label: 'CI' });
    expect([publish.statusCode, publish.json()]).toEqual([
      201,
      { token: expect.stringMatching(/^mmp_/), id: expect.any(String), role: 'publish', remote: 'auth', expiresAt: expect.any(String) },
    ]);
    const read = await post('/v1/tokens', { role: 'read' });
    expect(read.json()).toMatchObject({ token: expect.stringMatching(/^mmr_/), role: 'read', remote: null });

    const whoami = async (token: string) => (await registry.app.inject({ url: '/v1/whoami', headers: bearer(token) })).json();
    expect(await whoami(publish.json().token)).toEqual({ role: 'publish', remote: 'auth' });
    expect(await whoami(read.json().token)).toEqual({ role: 'read' });
    // A read token reads, and changes nothing.
    const move = await registry.app.inject({
      method: 'PUT',
      url: '/v1/remotes/auth/tags/stable',
      headers: bearer(read.json().token),
      payload: { version: '1.0.0', expect: null },
    });
    expect([move.statusCode, move.json().error.code]).toEqual([403, 'MODMESH_FORBIDDEN']);
  });

  it('refuse an unknown role, a publish token without a valid remote, and anyone but the admin', async () => {
    const role = await post('/v1/tokens', { role: 'owner' });
    expect([role.statusCode, role.json().error.message]).toEqual([400, '"role" must be "publish", "read" or "admin"']);
    expect((await post('/v1/tokens', {})).json().error.code).toBe('MODMESH_INVALID_NAME');
    expect((await post('/v1/tokens', { remote: 'auth', label: 'x'.repeat(201) })).json().error.code).toBe('MODMESH_BAD_REQUEST');
    const { token } = await setUpPublisher(registry, 'auth');
    const byPublisher = await post('/v1/tokens', { remote: 'auth' }, bearer(token));
    expect([byPublisher.statusCode, byPublisher.json().error.code]).toEqual([403, 'MODMESH_FORBIDDEN']);
  });
});

describe('the answers', () => {
  it('are the contract’s types, exactly', async () => {
    const key = generatePublisherKeyPair();
    expect(expectAnswer('POST /v1/remotes/:name/keys', await post('/v1/remotes/auth/keys', { publicKey: key.publicKey, label: 'ci' })).keyId).toBe(key.keyId);
    const listed = await registry.app.inject({ url: '/v1/remotes/auth/keys', headers: admin() });
    expect(expectAnswer('GET /v1/remotes/:name/keys', listed).keys).toHaveLength(1);
    const removed = await registry.app.inject({ method: 'DELETE', url: `/v1/remotes/auth/keys/${key.keyId}`, headers: admin() });
    expect(expectAnswer('DELETE /v1/remotes/:name/keys/:keyId', removed).removed).toBe(true);
    expect(expectAnswer('POST /v1/tokens', await post('/v1/tokens', { remote: 'auth' })).remote).toBe('auth');
    expect(expectAnswer('POST /v1/tokens', await post('/v1/tokens', { role: 'read' })).remote).toBeNull();
  });
});
