// What every route shares (hooks.ts): reads behind a token when asked, cross-origin reads, and
// the coded answer to a path that is no route.
import { admin, bearer, createTestRegistry, publishFixture, releaseFixture, setUpPublisher, type TestRegistry } from '@modmesh/registry-test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;

beforeEach(async () => {
  registry = await createTestRegistry();
  await publishFixture(registry, releaseFixture('auth', '1.0.0'), await setUpPublisher(registry, 'auth'));
});
afterEach(() => registry.cleanup());

async function error(url: string) {
  const response = await registry.app.inject({ url });
  return { status: response.statusCode, ...(response.json() as { error: { code: string; message: string; hint: string } }).error };
}

describe('a path that is no route of the API', () => {
  it('says so, with a hint about the registry URL rather than about names and versions', async () => {
    expect(await error('/health/v1/remotes')).toMatchObject({
      status: 404,
      code: 'MODMESH_NOT_FOUND',
      message: 'no route GET /health/v1/remotes at this registry',
      hint: expect.stringContaining('with no path'),
    });
  });
});

describe('cross-origin access', () => {
  it('lets any origin read and report as a consumer, but not write', async () => {
    const resolve = await registry.app.inject({ url: '/v1/remotes/auth/resolve/1.0.0', headers: { origin: 'http://127.0.0.1:8080' } });
    expect(resolve.headers['access-control-allow-origin']).toBe('*');
    const preflight = await registry.app.inject({ method: 'OPTIONS', url: '/v1/consumers', headers: { origin: 'http://127.0.0.1:8080' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('POST');
    const tagMove = await registry.app.inject({ method: 'PUT', url: '/v1/remotes/auth/tags/stable', payload: { version: '1.0.0', expect: null } });
    expect(tagMove.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('reads', () => {
  it('can require a token for reads', async () => {
    const closed = await createTestRegistry({ requireReadToken: true });
    try {
      const anonymous = await closed.app.inject({ url: '/v1/remotes' });
      expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'MODMESH_AUTH_REQUIRED']);
      const reader = (await closed.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { role: 'read' } })).json().token;
      expect((await closed.app.inject({ url: '/v1/remotes', headers: bearer(reader) })).statusCode).toBe(200);
      expect((await closed.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await closed.cleanup();
    }
  });
});
