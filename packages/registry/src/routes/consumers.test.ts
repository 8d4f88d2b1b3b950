import { bearer, createTestRegistry, expectAnswer, type TestRegistry } from '@modmesh/registry-test-utils';
import { afterEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
afterEach(() => registry.cleanup());

const report = (instanceId: string, remote: string, version = '1.0.0') => ({
  instanceId,
  service: 'user-service',
  kind: 'node',
  remotes: [{ name: remote, version, since: '2026-11-22T03:00:00.000Z' }],
});

describe('consumers', () => {
  it('are reported from any origin, listed (all, or those running a remote), and leave', async () => {
    registry = await createTestRegistry();
    const sent = await registry.app.inject({
      method: 'POST',
      url: '/v1/consumers',
      headers: { origin: 'http://127.0.0.1:8080' },
      payload: report('a', 'auth'),
    });
    expect([sent.statusCode, sent.json()]).toEqual([200, { instanceId: 'a', lastSeen: expect.any(String) }]);
    expect(sent.headers['access-control-allow-origin']).toBe('*');
    await registry.app.inject({ method: 'POST', url: '/v1/consumers', payload: report('b', 'billing') });
    await registry.app.inject({ method: 'POST', url: '/v1/consumers', payload: report('a', 'auth', '1.1.0') });

    const all = (await registry.app.inject({ url: '/v1/consumers' })).json().consumers;
    expect(all.map((consumer: { instanceId: string }) => consumer.instanceId).sort()).toEqual(['a', 'b']);
    const ofAuth = (await registry.app.inject({ url: '/v1/remotes/auth/consumers' })).json().consumers;
    expect(ofAuth).toEqual([expect.objectContaining({ instanceId: 'a', remotes: [expect.objectContaining({ version: '1.1.0' })] })]);

    expect((await registry.app.inject({ method: 'DELETE', url: '/v1/consumers/a' })).json()).toEqual({ removed: true });
    expect((await registry.app.inject({ url: '/v1/remotes/auth/consumers' })).json().consumers).toEqual([]);
  });

  it('keep the packages a host provides to its remotes, for the publish gate', async () => {
    registry = await createTestRegistry();
    const shared = [{ name: 'jsonwebtoken', version: '9.0.3' }];
    expect((await registry.app.inject({ method: 'POST', url: '/v1/consumers', payload: { ...report('a', 'auth'), shared } })).statusCode).toBe(200);
    expect((await registry.app.inject({ url: '/v1/remotes/auth/consumers' })).json().consumers).toEqual([expect.objectContaining({ instanceId: 'a', shared })]);
    for (const bad of [{ shared: 'jsonwebtoken' }, { shared: [{ name: 'jsonwebtoken' }] }, { shared: [{ name: '', version: '1.0.0' }] }]) {
      const refused = await registry.app.inject({ method: 'POST', url: '/v1/consumers', payload: { ...report('b', 'auth'), ...bad } });
      expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'MODMESH_BAD_REQUEST']);
    }
    expect((await registry.app.inject({ url: '/v1/consumers' })).json().consumers.map((each: { instanceId: string }) => each.instanceId)).toEqual(['a']);
  });

  it('refuse a report that is not one, and a remote name that is not one', async () => {
    registry = await createTestRegistry();
    const bad = await registry.app.inject({ method: 'POST', url: '/v1/consumers', payload: { instanceId: 'x' } });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'MODMESH_BAD_REQUEST']);
    expect((await registry.app.inject({ url: '/v1/consumers' })).json().consumers).toEqual([]);
    const name = await registry.app.inject({ url: '/v1/remotes/Auth/consumers' });
    expect([name.statusCode, name.json().error.code]).toEqual([400, 'MODMESH_INVALID_NAME']);
  });

  it('need a token to report, leave and list when reads need one', async () => {
    registry = await createTestRegistry({ requireReadToken: true });
    const anonymous = await registry.app.inject({ method: 'POST', url: '/v1/consumers', payload: report('a', 'auth') });
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'MODMESH_AUTH_REQUIRED']);
    expect((await registry.app.inject({ method: 'DELETE', url: '/v1/consumers/a' })).statusCode).toBe(401);
    expect((await registry.app.inject({ url: '/v1/consumers' })).statusCode).toBe(401);
    const { token } = (
      await registry.app.inject({ method: 'POST', url: '/v1/tokens', headers: bearer('test-admin-token-0123456789'), payload: { role: 'read' } })
    ).json();
    expect((await registry.app.inject({ method: 'POST', url: '/v1/consumers', headers: bearer(token), payload: report('a', 'auth') })).statusCode).toBe(200);
    expect((await registry.app.inject({ url: '/v1/consumers', headers: bearer(token) })).json().consumers).toHaveLength(1);
  });
});

describe('the answers', () => {
  it('are the contract’s types, exactly', async () => {
    registry = await createTestRegistry();
    const sent = await registry.app.inject({ method: 'POST', url: '/v1/consumers', payload: { ...report('a', 'auth'), kind: 'browser' } });
    expect(expectAnswer('POST /v1/consumers', sent).instanceId).toBe('a');
    expect(expectAnswer('GET /v1/consumers', await registry.app.inject({ url: '/v1/consumers' })).consumers).toHaveLength(1);
    expect(expectAnswer('GET /v1/remotes/:name/consumers', await registry.app.inject({ url: '/v1/remotes/auth/consumers' })).consumers).toHaveLength(1);
    expect(expectAnswer('DELETE /v1/consumers/:instanceId', await registry.app.inject({ method: 'DELETE', url: '/v1/consumers/a' }))).toEqual({
      removed: true,
    });
  });
});
