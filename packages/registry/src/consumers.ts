import { ModmeshError } from '@modmesh/manifest';
import { type Consumer, type ConsumerReport, type ConsumerStore, createMemoryConsumerStore } from './storage/consumers.js';

export interface ConsumerRegistry {
  report(report: unknown): Promise<Consumer>;
  /** Consumers seen within the TTL, optionally only those running `remote`. */
  list(remote?: string): Promise<Consumer[]>;
  remove(instanceId: string): Promise<void>;
}

// Hosts report every ~15 s; one that missed a few reports is gone (crashed, scaled down).
const DEFAULT_TTL_MS = 60_000;
const MAX_CONSUMERS = 10_000;
// Packages one host provides to its remotes: a handful in practice.
const MAX_SHARED = 256;

/**
 * Who runs what, right now. Nothing about it needs to be durable: it is rebuilt within one
 * report interval after a restart.
 */
export function createConsumerRegistry(store: ConsumerStore = createMemoryConsumerStore(), ttlMs = DEFAULT_TTL_MS): ConsumerRegistry {
  const cutoff = (): string => new Date(Date.now() - ttlMs).toISOString();

  return {
    async report(input) {
      const report = parseReport(input);
      if ((await store.size()) >= MAX_CONSUMERS && !(await store.has(report.instanceId))) {
        await store.removeStale(cutoff());
        if ((await store.size()) >= MAX_CONSUMERS) throw new ModmeshError('MODMESH_BAD_REQUEST', 'too many consumers reporting');
      }
      const consumer = { ...report, lastSeen: new Date().toISOString() };
      await store.save(consumer);
      return consumer;
    },
    async list(remote) {
      return (await store.seenSince(cutoff())).filter((consumer) => !remote || consumer.remotes.some((entry) => entry.name === remote));
    },
    remove: (instanceId) => store.remove(instanceId),
  };
}

// --- internal ---

function parseReport(input: unknown): ConsumerReport {
  const body = input as Partial<ConsumerReport> | null;
  const text = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;
  if (!body || !text(body.instanceId, 128) || !text(body.service, 128) || !Array.isArray(body.remotes) || body.remotes.length > 256) {
    throw new ModmeshError(
      'MODMESH_BAD_REQUEST',
      'a consumer report is {instanceId, service, kind, remotes: [{name, version, since}], shared?: [{name, version}]}',
    );
  }
  const remotes = body.remotes.map((entry) => {
    if (!entry || !text(entry.name, 64) || !text(entry.version, 128) || !text(entry.since, 64)) {
      throw new ModmeshError('MODMESH_BAD_REQUEST', 'each reported remote is {name, version, since}');
    }
    return { name: entry.name, version: entry.version, since: entry.since };
  });
  if (body.shared !== undefined && (!Array.isArray(body.shared) || body.shared.length > MAX_SHARED)) {
    throw new ModmeshError('MODMESH_BAD_REQUEST', `a consumer report's shared is a list of at most ${MAX_SHARED} {name, version}`);
  }
  const shared = body.shared?.map((entry) => {
    if (!entry || !text(entry.name, 214) || !text(entry.version, 128))
      throw new ModmeshError('MODMESH_BAD_REQUEST', 'each reported shared package is {name, version}');
    return { name: entry.name, version: entry.version };
  });
  return { instanceId: body.instanceId, service: body.service, kind: body.kind === 'browser' ? 'browser' : 'node', remotes, ...(shared && { shared }) };
}
