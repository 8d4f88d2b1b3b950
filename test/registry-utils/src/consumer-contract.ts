// The ConsumerStore contract: where hosts' reports are kept, in memory or in the shared database.
import type { Consumer, ConsumerStore } from '@modmesh/registry';
import { beforeEach, describe, expect, it } from 'vitest';

/**
 * Runs the ConsumerStore contract (where hosts' reports are kept) against a backend.
 *
 * @example
 * describeConsumerStoreContract('memory', async () => ({ consumers: createMemoryConsumerStore(), cleanup: async () => {} }));
 */
export function describeConsumerStoreContract(backend: string, create: () => Promise<{ consumers: ConsumerStore; cleanup: () => Promise<void> }>): void {
  describe(`ConsumerStore contract: ${backend}`, () => {
    let consumers: ConsumerStore;
    beforeEach(async () => {
      const created = await create();
      consumers = created.consumers;
      return created.cleanup;
    });
    const consumer = (instanceId: string, lastSeen: string, version = '1.0.0'): Consumer => ({
      instanceId,
      service: 'user-service',
      kind: 'node',
      remotes: [{ name: 'auth', version, since: '2026-11-22T03:00:00.000Z' }],
      shared: [{ name: 'jsonwebtoken', version: '9.0.3' }],
      lastSeen,
    });

    it('keeps the latest report of each instance and lists those seen since a time', async () => {
      await consumers.save(consumer('a', '2026-11-22T03:00:00.000Z'));
      await consumers.save(consumer('b', '2026-11-22T03:01:00.000Z'));
      await consumers.save(consumer('a', '2026-11-22T03:02:00.000Z', '1.1.0'));

      expect(await consumers.size()).toBe(2);
      expect(await consumers.has('a')).toBe(true);
      expect(await consumers.has('c')).toBe(false);
      const recent = await consumers.seenSince('2026-11-22T03:01:30.000Z');
      expect(recent).toEqual([consumer('a', '2026-11-22T03:02:00.000Z', '1.1.0')]);
      expect((await consumers.seenSince('2026-11-22T02:00:00.000Z')).map((entry) => entry.instanceId).sort()).toEqual(['a', 'b']);
    });

    it('forgets one instance, or every one last seen before a time', async () => {
      await consumers.save(consumer('a', '2026-11-22T03:00:00.000Z'));
      await consumers.save(consumer('b', '2026-11-22T03:01:00.000Z'));
      await consumers.save(consumer('c', '2026-11-22T03:02:00.000Z'));

      await consumers.remove('c');
      await consumers.removeStale('2026-11-22T03:00:30.000Z');

      expect(await consumers.seenSince('2026-11-22T00:00:00.000Z')).toEqual([consumer('b', '2026-11-22T03:01:00.000Z')]);
      expect(await consumers.size()).toBe(1);
    });
  });
}
