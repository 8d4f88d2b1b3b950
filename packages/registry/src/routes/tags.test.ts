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
import type { TagMove } from '../storage/types.js';

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
function rollback(payload: Record<string, unknown> = {}) {
  return registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/tags/stable/rollback', headers: bearer(publisher.token), payload });
}
async function stable(): Promise<string | undefined> {
  const tags = (await registry.app.inject({ url: '/v1/remotes/auth/tags' })).json().tags as { tag: string; version: string }[];
  return tags.find((tag) => tag.tag === 'stable')?.version;
}

describe('tags', () => {
  it('move only with compare-and-swap: a stale expectation is a 409 that changes nothing', async () => {
    expect((await moveTag('1.0.0', null, 'first')).statusCode).toBe(200);
    const stale = await moveTag('1.2.0', null);
    expect([stale.statusCode, stale.json().error.code]).toEqual([409, 'MODMESH_TAG_CONFLICT']);
    const moved = await moveTag('1.1.0', '1.0.0', 'promote');
    expect(moved.json()).toMatchObject({ from: '1.0.0', to: '1.1.0', kind: 'move', seq: 2, actor: expect.any(String), reason: 'promote' });
    const lost = await moveTag('1.2.0', '1.0.0');
    expect(lost.json().error.code).toBe('MODMESH_TAG_CONFLICT');
    expect(await stable()).toBe('1.1.0');
  });

  it('require the expectation to be stated, and a published target', async () => {
    const noExpect = await registry.app.inject({
      method: 'PUT',
      url: '/v1/remotes/auth/tags/stable',
      headers: bearer(publisher.token),
      payload: { version: '1.0.0' },
    });
    expect([noExpect.statusCode, noExpect.json().error.code]).toEqual([400, 'MODMESH_BAD_REQUEST']);
    const unpublished = await moveTag('9.9.9', null);
    expect([unpublished.statusCode, unpublished.json().error.code]).toEqual([404, 'MODMESH_NOT_FOUND']);
    const rangeAsTag = await registry.app.inject({
      method: 'PUT',
      url: '/v1/remotes/auth/tags/x',
      headers: admin(),
      payload: { version: '1.0.0', expect: null },
    });
    expect(rangeAsTag.json().error.code).toBe('MODMESH_INVALID_TAG');
  });

  it('of many concurrent movers with the same expectation, exactly one wins and the audit log shows it', async () => {
    await moveTag('1.0.0', null);
    const racers = await Promise.all(Array.from({ length: 12 }, (_, index) => moveTag(index % 2 ? '1.1.0' : '1.2.0', '1.0.0', `racer ${index}`)));
    const winners = racers.filter((response) => response.statusCode === 200);
    expect(winners).toHaveLength(1);
    expect(racers.filter((response) => response.statusCode === 409)).toHaveLength(11);
    const history = (await registry.app.inject({ url: '/v1/remotes/auth/tags/stable/history' })).json().history as TagMove[];
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ to: winners[0]?.json().to, reason: winners[0]?.json().reason });
    expect(await stable()).toBe(winners[0]?.json().to);
  });

  it('roll back through their history, each rollback audited as one', async () => {
    await moveTag('1.0.0', null);
    await moveTag('1.1.0', '1.0.0');
    await moveTag('1.2.0', '1.1.0');
    expect((await rollback({ reason: 'bad deploy' })).json()).toMatchObject({ from: '1.2.0', to: '1.1.0', kind: 'rollback', reason: 'bad deploy' });
    expect((await rollback()).json()).toMatchObject({ from: '1.1.0', to: '1.0.0', kind: 'rollback' });
    const nothingLeft = await rollback();
    expect([nothingLeft.statusCode, nothingLeft.json().error.code]).toEqual([409, 'MODMESH_NO_PREVIOUS_TARGET']);
    expect(await stable()).toBe('1.0.0');

    const history = (await registry.app.inject({ url: '/v1/remotes/auth/history' })).json().history as TagMove[];
    expect(history.map((move) => `${move.kind} ${move.from}->${move.to} #${move.seq}`)).toEqual([
      'rollback 1.1.0->1.0.0 #5',
      'rollback 1.2.0->1.1.0 #4',
      'move 1.1.0->1.2.0 #3',
      'move 1.0.0->1.1.0 #2',
      'move null->1.0.0 #1',
    ]);
  });

  it('rollback refuses when the tag moved since the caller looked', async () => {
    await moveTag('1.0.0', null);
    await moveTag('1.1.0', '1.0.0');
    const response = await rollback({ expect: '1.2.0' });
    expect([response.statusCode, response.json().error.code]).toEqual([409, 'MODMESH_TAG_CONFLICT']);
  });
});

describe('the answers', () => {
  it('are the contract’s types, exactly', async () => {
    expect(expectAnswer('PUT /v1/remotes/:name/tags/:tag', await moveTag('1.0.0', null)).from).toBeNull();
    expect(expectAnswer('PUT /v1/remotes/:name/tags/:tag', await moveTag('1.1.0', '1.0.0', 'promote')).from).toBe('1.0.0');
    expect(expectAnswer('POST /v1/remotes/:name/tags/:tag/rollback', await rollback()).kind).toBe('rollback');
    expect(expectAnswer('GET /v1/remotes/:name/tags', await registry.app.inject({ url: '/v1/remotes/auth/tags' })).tags).toHaveLength(1);
    const history = await registry.app.inject({ url: '/v1/remotes/auth/tags/stable/history' });
    expect(expectAnswer('GET /v1/remotes/:name/tags/:tag/history', history).history).toHaveLength(3);
    const all = await registry.app.inject({ url: '/v1/remotes/auth/history?limit=2' });
    expect(expectAnswer('GET /v1/remotes/:name/history', all).history).toHaveLength(2);
  });
});
