import type { Consumer } from '@modmesh/api';

// A report as hosts send it and as the registry lists it: the contract's types (@modmesh/api).
export type { Consumer, ConsumerReport } from '@modmesh/api';

/**
 * Where consumer reports are kept: in memory for one registry, in the shared database for
 * replicas (a host reports to whichever replica its connection reaches, and every replica lists
 * every host).
 */
export interface ConsumerStore {
  /** Adds or replaces the report of `consumer.instanceId`. */
  save(consumer: Consumer): Promise<void>;
  has(instanceId: string): Promise<boolean>;
  /** Every consumer last seen at or after `since` (an ISO time). */
  seenSince(since: string): Promise<Consumer[]>;
  size(): Promise<number>;
  remove(instanceId: string): Promise<void>;
  /** Forgets every consumer last seen before `before` (an ISO time). */
  removeStale(before: string): Promise<void>;
}

/** Consumer reports in this process's memory: the embedded registry's store. */
export function createMemoryConsumerStore(): ConsumerStore {
  const consumers = new Map<string, Consumer>();
  return {
    async save(consumer) {
      consumers.set(consumer.instanceId, consumer);
    },
    has: async (instanceId) => consumers.has(instanceId),
    seenSince: async (since) => [...consumers.values()].filter((consumer) => consumer.lastSeen >= since),
    size: async () => consumers.size,
    async remove(instanceId) {
      consumers.delete(instanceId);
    },
    async removeStale(before) {
      for (const [id, consumer] of consumers) if (consumer.lastSeen < before) consumers.delete(id);
    },
  };
}
