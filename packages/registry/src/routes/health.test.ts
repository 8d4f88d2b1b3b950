import { bearer, createTestRegistry, expectAnswer, publishFixture, releaseFixture, setUpPublisher, type TestRegistry } from '@modmesh/registry-test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
let publisher: Awaited<ReturnType<typeof setUpPublisher>>;

beforeEach(async () => {
  registry = await createTestRegistry();
  publisher = await setUpPublisher(registry, 'auth');
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
    expect((await publishFixture(registry, releaseFixture('auth', version), publisher)).statusCode).toBe(201);
  }
});
afterEach(() => registry.cleanup());

function moveTag(version: string, expect: string | null, reason = '') {
  return registry.app.inject({ method: 'PUT', url: '/v1/remotes/auth/tags/stable', headers: bearer(publisher.token), payload: { version, expect, reason } });
}

describe('operations', () => {
  it('serves health and Prometheus metrics counting publishes and tag moves', async () => {
    expect(expectAnswer('GET /health', await registry.app.inject({ url: '/health' }))).toEqual({
      status: 'ok',
      tuf: { mode: 'legacy', documents: {}, problems: [], warnings: [] },
    });
    await moveTag('1.0.0', null);
    const metrics = (await registry.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('modmesh_registry_publishes_total{result="published"} 3');
    expect(metrics).toContain('modmesh_registry_tag_moves_total{kind="move"} 1');
  });
});
