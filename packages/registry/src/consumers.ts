import { ModmeshError } from '@modmesh/manifest';

/** One running host (or browser) and the release of each remote it runs. */
export interface ConsumerReport {
  instanceId: string;
  service: string;
  kind: 'node' | 'browser';
  remotes: { name: string; version: string; since: string }[];
}

export interface Consumer extends ConsumerReport {
  lastSeen: string;
}

export interface ConsumerRegistry {
  report(report: unknown): Consumer;
  /** Consumers seen within the TTL, optionally only those running `remote`. */
  list(remote?: string): Consumer[];
  remove(instanceId: string): void;
}

// Hosts report every ~15 s; one that missed a few reports is gone (crashed, scaled down).
const DEFAULT_TTL_MS = 60_000;
const MAX_CONSUMERS = 10_000;

/**
 * Who runs what, right now. Kept in memory: it is rebuilt within one report interval after a
 * registry restart, and nothing about it needs to be durable.
 */
export function createConsumerRegistry(ttlMs = DEFAULT_TTL_MS): ConsumerRegistry {
  const consumers = new Map<string, Consumer>();
  const fresh = (consumer: Consumer): boolean => Date.now() - Date.parse(consumer.lastSeen) < ttlMs;

  return {
    report(input) {
      const report = parseReport(input);
      if (!consumers.has(report.instanceId) && consumers.size >= MAX_CONSUMERS) {
        for (const [id, consumer] of consumers) if (!fresh(consumer)) consumers.delete(id);
        if (consumers.size >= MAX_CONSUMERS) throw new ModmeshError('MODMESH_BAD_REQUEST', 'too many consumers reporting');
      }
      const consumer = { ...report, lastSeen: new Date().toISOString() };
      consumers.set(report.instanceId, consumer);
      return consumer;
    },
    list(remote) {
      return [...consumers.values()].filter((consumer) => fresh(consumer) && (!remote || consumer.remotes.some((entry) => entry.name === remote)));
    },
    remove(instanceId) {
      consumers.delete(instanceId);
    },
  };
}

// --- internal ---

function parseReport(input: unknown): ConsumerReport {
  const body = input as Partial<ConsumerReport> | null;
  const text = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;
  if (!body || !text(body.instanceId, 128) || !text(body.service, 128) || !Array.isArray(body.remotes) || body.remotes.length > 256) {
    throw new ModmeshError('MODMESH_BAD_REQUEST', 'a consumer report is {instanceId, service, kind, remotes: [{name, version, since}]}');
  }
  const remotes = body.remotes.map((entry) => {
    if (!entry || !text(entry.name, 64) || !text(entry.version, 128) || !text(entry.since, 64)) {
      throw new ModmeshError('MODMESH_BAD_REQUEST', 'each reported remote is {name, version, since}');
    }
    return { name: entry.name, version: entry.version, since: entry.since };
  });
  return { instanceId: body.instanceId, service: body.service, kind: body.kind === 'browser' ? 'browser' : 'node', remotes };
}
