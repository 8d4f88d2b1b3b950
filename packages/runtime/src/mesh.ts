import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { isModmeshError, keyIdOf, ModmeshError, parsePublicKey, REMOTE_NAME } from '@modmesh/manifest';
import { createReleaseCache } from './cache.js';
import { openEventStream, type RegistryEvent } from './events.js';
import { createFederation, type SharedPackage, type SharedStatus } from './federation.js';
import type { Deadlines } from './fetch.js';
import { jsonLogger, type Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { createRegistryClient } from './registry-client.js';
import { createRemoteSlot, type RemoteSlot, type SlotStatus } from './slot.js';

export interface MeshOptions {
  /** The registry's URL. */
  registry: string;
  /** Remotes this host uses: `{ auth: 'auth@stable' }`, a tag, a version or a semver range. */
  remotes: Record<string, string>;
  /** Ed25519 public keys trusted per remote (`ed25519:...` or PEM). A remote with none is refused. */
  trust: Record<string, readonly string[]>;
  /** Where verified releases are cached, for restarts while the registry is down. @default ".modmesh/cache" */
  cacheDir?: string;
  /** This host's name in Module Federation share scopes. @default "modmesh_host" */
  name?: string;
  /** The service name reported to the registry. @default name */
  service?: string;
  /** Packages this host provides to remotes from its own node_modules (singletons by default). */
  shared?: Record<string, SharedPackage>;
  /** A token for registries that require one for reads. */
  token?: string;
  /** Per-request deadlines; see fetch.ts for the defaults. */
  deadlines?: Partial<Deadlines>;
  /** Modules answering `import(id)` while no verified release is available: `{ 'auth/tokenValidator': () => ({...}) }`. */
  fallbacks?: Record<string, () => unknown>;
  /** Follow the registry's event stream and swap releases live. @default true */
  watch?: boolean;
  /** How often to re-resolve every remote even without events (a safety net). @default 60000 */
  recheckIntervalMs?: number;
  /** How often to tell the registry what this host runs; 0 turns reporting off. @default 15000 */
  reportIntervalMs?: number;
  /** @default JSON lines on stdout */
  log?: Logger;
}

export interface LiveModule<T> {
  /** The current release's module, waiting at most `deadlineMs` for the first one. */
  get(deadlineMs?: number): Promise<T>;
  /** The current release's module, or undefined before the first one loaded. */
  current(): T | undefined;
  /** The running version, or undefined. */
  version(): string | undefined;
}

export interface MeshStatus {
  instanceId: string;
  remotes: Record<string, SlotStatus>;
  shared: Record<string, SharedStatus[]>;
  events: 'connected' | 'disconnected' | 'off';
}

export interface Mesh {
  /** `remote/expose` from the running release; rejects with MODMESH_REMOTE_UNAVAILABLE after `deadlineMs`. */
  import<T>(id: string, options?: { deadlineMs?: number }): Promise<T>;
  /** A handle that always reaches the running release: after a swap, the new one. */
  live<T>(id: string): LiveModule<T>;
  status(): MeshStatus;
  /** Prometheus text of the runtime's counters. */
  metrics(): string;
  close(): Promise<void>;
}

const DEFAULT_DEADLINE_MS = 5000;
const DEFAULT_RECHECK_MS = 60_000;
const DEFAULT_REPORT_MS = 15_000;

/**
 * A host's view of the mesh: resolves each remote at the registry, runs only releases signed by
 * a key trusted for that remote and whose every byte matches, caches them for restarts while
 * the registry is down, and swaps to new releases live when a followed tag moves.
 *
 * @example
 * const mesh = createMesh({
 *   registry: 'http://127.0.0.1:4000',
 *   remotes: { auth: 'auth@stable' },
 *   trust: { auth: ['ed25519:...'] },
 * });
 * const { validateJwtToken } = await mesh.import<typeof import('auth/tokenValidator')>('auth/tokenValidator');
 */
export function createMesh(options: MeshOptions): Mesh {
  const log = options.log ?? jsonLogger(options.service ?? options.name ?? 'modmesh');
  const metrics = createMetrics();
  const instanceId = randomUUID();
  const hostName = options.name ?? 'modmesh_host';
  const client = createRegistryClient({
    url: options.registry,
    token: options.token,
    deadlines: options.deadlines,
    onFailure: (error, remote) => metrics.inc('modmesh_runtime_registry_failures_total', { remote, code: error.code }),
  });
  const cache = createReleaseCache(options.cacheDir ?? path.join('.modmesh', 'cache'));
  const federation = createFederation({ hostName, shared: options.shared ?? {} });
  const specs = parseRemotes(options.remotes, options.trust);
  let reportTimer: NodeJS.Timeout | undefined;

  const report = (): void => {
    if (options.reportIntervalMs === 0) return;
    const remotes = [...slots.values()].flatMap((slot) => {
      const status = slot.status();
      return status.version ? [{ name: slot.name, version: status.version, since: status.since ?? '' }] : [];
    });
    client.report({ instanceId, service: options.service ?? hostName, kind: 'node', remotes }).catch(() => {});
  };

  const slots = new Map<string, RemoteSlot>(
    [...specs].map(([alias, { name, spec, trusted }]) => [
      alias,
      createRemoteSlot(name, spec, { acquire: { client, cache, trusted }, federation, hostShared: options.shared ?? {}, log, metrics, onChange: report }),
    ]),
  );

  let events: 'connected' | 'disconnected' | 'off' = 'off';
  const stream =
    options.watch === false
      ? undefined
      : openEventStream({
          registry: options.registry,
          token: options.token,
          onEvent: (event) => {
            for (const slot of slots.values()) if (concerns(slot, event)) slot.update(`${event.type} #${event.id}`);
          },
          onConnected: () => {
            const wasDown = events === 'disconnected';
            events = 'connected';
            // Events are resumed from Last-Event-ID; a check after an outage also covers a
            // registry that lost its event history.
            if (wasDown) for (const slot of slots.values()) slot.update('event stream reconnected');
          },
          onDisconnected: (reason, retryInMs) => {
            if (events !== 'disconnected') log('warn', `registry event stream lost: ${reason}`, { code: 'MODMESH_EVENTS_DISCONNECTED', retryInMs });
            events = 'disconnected';
            metrics.inc('modmesh_runtime_event_stream_disconnects_total', {});
          },
        });
  const recheck = setInterval(() => {
    for (const slot of slots.values()) slot.update('periodic check');
  }, options.recheckIntervalMs ?? DEFAULT_RECHECK_MS).unref();
  if (options.reportIntervalMs !== 0) reportTimer = setInterval(report, options.reportIntervalMs ?? DEFAULT_REPORT_MS).unref();

  async function importModule<T>(id: string, deadlineMs = DEFAULT_DEADLINE_MS): Promise<T> {
    const { slot, expose } = slotOf(slots, id);
    try {
      await slot.ready(deadlineMs);
      return (await slot.module(expose)) as T;
    } catch (error) {
      const fallback = options.fallbacks?.[id];
      if (!fallback || !isModmeshError(error) || error.code !== 'MODMESH_REMOTE_UNAVAILABLE') throw error;
      metrics.inc('modmesh_runtime_fallbacks_total', { remote: slot.name });
      log('warn', `${id}: serving the fallback module`, {
        code: 'MODMESH_FALLBACK_USED',
        remote: slot.name,
        cause: (error.cause as ModmeshError | undefined)?.code,
      });
      return (await fallback()) as T;
    }
  }

  return {
    import: (id, importOptions) => importModule(id, importOptions?.deadlineMs),
    live<T>(id: string): LiveModule<T> {
      const { slot, expose } = slotOf(slots, id);
      return {
        get: (deadlineMs) => importModule<T>(id, deadlineMs),
        current: () => slot.modules().get(expose) as T | undefined,
        version: () => slot.status().version,
      };
    },
    status() {
      return {
        instanceId,
        remotes: Object.fromEntries([...slots].map(([alias, slot]) => [alias, slot.status()])),
        shared: federation.shared(),
        events,
      };
    },
    metrics: () => metrics.text(),
    async close() {
      stream?.close();
      clearInterval(recheck);
      clearInterval(reportTimer);
      for (const slot of slots.values()) slot.close();
      if (options.reportIntervalMs !== 0) await client.forget(instanceId).catch(() => {});
    },
  };
}

// --- internal ---

function parseRemotes(remotes: Record<string, string>, trust: Record<string, readonly string[]>) {
  const parsed = new Map<string, { name: string; spec: string; trusted: Map<string, KeyObject> }>();
  const names = new Set<string>();
  for (const [alias, value] of Object.entries(remotes)) {
    const at = value.indexOf('@');
    const name = at === -1 ? value : value.slice(0, at);
    const spec = at === -1 ? 'stable' : value.slice(at + 1);
    if (!REMOTE_NAME.test(name) || !spec)
      throw new ModmeshError('MODMESH_CONFIG_INVALID', `remotes.${alias} = "${value}": expected NAME@SPEC, e.g. auth@stable`);
    if (names.has(name)) throw new ModmeshError('MODMESH_CONFIG_INVALID', `remote ${name} is listed twice; a host runs one release of a remote at a time`);
    names.add(name);
    const keys = trust[name] ?? [];
    if (keys.length === 0) {
      throw new ModmeshError('MODMESH_CONFIG_INVALID', `no trusted key for remote ${name}: a host runs only releases signed by a key it trusts`, {
        remote: name,
        hint: `Add trust: { ${name}: ['ed25519:...'] } with the publisher's public key (modmesh keys generate prints it).`,
      });
    }
    parsed.set(alias, { name, spec, trusted: new Map(keys.map((key) => [keyIdOf(key), parsePublicKey(key)])) });
  }
  return parsed;
}

function slotOf(slots: Map<string, RemoteSlot>, id: string): { slot: RemoteSlot; expose: string } {
  const slash = id.indexOf('/');
  const slot = slash > 0 ? slots.get(id.slice(0, slash)) : undefined;
  if (!slot) throw new ModmeshError('MODMESH_CONFIG_INVALID', `"${id}" names no configured remote; ids are REMOTE/EXPOSE with REMOTE a key of options.remotes`);
  return { slot, expose: id.slice(slash + 1) };
}

function concerns(slot: RemoteSlot, event: RegistryEvent): boolean {
  if (event.data.name !== slot.name) return false;
  if (event.type === 'tag.moved') return slot.specKind === 'tag' && event.data.tag === slot.spec;
  return event.type === 'release.published' && slot.specKind === 'range';
}
