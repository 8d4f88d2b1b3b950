import { describe, expect, it } from 'vitest';
import { createConsumerRegistry } from './consumers.js';
import { createMemoryConsumerStore } from './storage/consumers.js';

describe('createConsumerRegistry', () => {
  it('lists only hosts that reported within the TTL, optionally those running a remote', async () => {
    const store = createMemoryConsumerStore();
    const consumers = createConsumerRegistry(store, 60_000);
    await store.save({
      instanceId: 'gone',
      service: 'user-service',
      kind: 'node',
      remotes: [{ name: 'auth', version: '1.0.0', since: 'x' }],
      lastSeen: '2000-01-01T00:00:00.000Z',
    });
    await consumers.report({ instanceId: 'live', service: 'user-service', kind: 'node', remotes: [{ name: 'auth', version: '1.1.0', since: 'x' }] });
    await consumers.report({ instanceId: 'other', service: 'billing', kind: 'node', remotes: [{ name: 'billing', version: '2.0.0', since: 'x' }] });

    expect((await consumers.list()).map((entry) => entry.instanceId).sort()).toEqual(['live', 'other']);
    expect((await consumers.list('auth')).map((entry) => entry.instanceId)).toEqual(['live']);
    await expect(consumers.report({ instanceId: 'x' })).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
  });
});
