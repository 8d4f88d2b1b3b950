import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createRegistryClient, type Deadlines } from '@modmesh/api';
import { createNodeTransport } from '@modmesh/api/node';
import { createHost, type SharedPackage, type SharedStatus, type SlotStatus, type StaleState, type Trust } from '@modmesh/host-core';
import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import type { VerifiedRelease } from './acquire.js';
import { createReleaseCache } from './cache.js';
import { type CodeCacheOptions, createCodeCache } from './code-cache.js';
import { createHostTrust } from './host-trust.js';
import { jsonLogger, type Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { createNodeFederation } from './node-federation.js';
import type { RemoteModuleId, RemoteModules } from './remote-modules.js';

export interface MeshOptions {
  /** The registry's URL. */
  registry: string;
  /** Remotes this host uses: `{ auth: 'auth@stable' }`, a tag, a version or a semver range. */
  remotes: Record<string, string>;
  /**
   * The root of trust (TUF, see packages/trust): a path to `root.json` or its bytes. Which release
   * each remote runs, and who may publish and move tags of it, then come from the registry's
   * signed metadata, verified from this root; the registry's own word counts for nothing.
   * Give either `root` or `trust`.
   */
  root?: string | Uint8Array;
  /** Ed25519 public keys trusted per remote (`ed25519:...` or PEM), without a root. A remote with none is refused. */
  trust?: Record<string, readonly string[]>;
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
  /** Per-request deadlines; see @modmesh/api's DEFAULT_DEADLINES. */
  deadlines?: Partial<Deadlines>;
  /** Modules answering `import(id)` while no verified release is available: `{ 'auth/tokenValidator': () => ({...}) }`. */
  fallbacks?: Record<string, () => unknown>;
  /** Follow the registry's event stream and swap releases live. @default true */
  watch?: boolean;
  /** How often to re-resolve every remote even without events (a safety net). @default 60000 */
  recheckIntervalMs?: number;
  /** How often to tell the registry what this host runs; 0 turns reporting off. @default 15000 */
  reportIntervalMs?: number;
  /**
   * Keep V8's compiled code of the releases this host runs on disk (`cacheDir/code` unless `dir`),
   * vouched for by `key`, so that a restart, or another host sharing `dir`, does not compile the
   * same verified bytes again. Without it, compiled code is kept in memory only. See the README,
   * "Compiled code", for what the key protects.
   */
  codeCache?: CodeCacheOptions;
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

/** What a host runs for one remote. */
export interface RemoteStatus {
  remote: string;
  spec: string;
  state: 'loading' | 'ready' | 'failed';
  version?: string;
  source?: 'registry' | 'cache';
  since?: string;
  tagSeq?: number;
  lastError?: { code: ModmeshError['code']; message: string };
  evaluated: readonly string[];
  /** With a root: set while the metadata this remote depends on has expired (still serving). */
  stale?: StaleState;
}

export interface MeshStatus {
  instanceId: string;
  remotes: Record<string, RemoteStatus>;
  /** With a root: the versions of the trusted metadata, and when the timestamp expires. */
  trust?: ReturnType<Trust['summary']>;
  shared: Record<string, SharedStatus[]>;
  events: 'connected' | 'disconnected' | 'off';
}

export interface Mesh {
  /**
   * `remote/expose` from the running release; rejects with MODMESH_REMOTE_UNAVAILABLE after
   * `deadlineMs`. Typed by its id once `modmesh types pull` declared it (RemoteModules); any other
   * id takes the module's type as a type argument.
   */
  import<Id extends RemoteModuleId>(id: Id, options?: { deadlineMs?: number }): Promise<RemoteModules[Id]>;
  import<T = unknown>(id: string, options?: { deadlineMs?: number }): Promise<T>;
  /** A handle that always reaches the running release: after a swap, the new one. Typed as `import` is. */
  live<Id extends RemoteModuleId>(id: Id): LiveModule<RemoteModules[Id]>;
  live<T = unknown>(id: string): LiveModule<T>;
  status(): MeshStatus;
  /** Prometheus text of the runtime's counters. */
  metrics(): string;
  close(): Promise<void>;
}

const DEFAULT_DEADLINE_MS = 5000;
const DEFAULT_RECHECK_MS = 60_000;
const DEFAULT_REPORT_MS = 15_000;

/**
 * A Node host's view of the mesh: resolves each remote at the registry, runs only releases
 * signed by a key trusted for that remote and whose every byte matches, caches them for
 * restarts while the registry is down, and swaps to new releases live when a followed tag
 * moves. The lifecycle is @modmesh/host-core's; this is its Node side (node:http, the disk
 * cache, evaluation from verified bytes).
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
  const transport = createNodeTransport();
  const client = createRegistryClient({
    url: options.registry,
    token: options.token,
    transport,
    deadlines: options.deadlines,
    onFailure: (error, remote) => {
      if (remote !== undefined) metrics.inc('modmesh_runtime_registry_failures_total', { remote, code: error.code });
    },
  });
  const cache = createReleaseCache(options.cacheDir ?? path.join('.modmesh', 'cache'));
  const { trust, ...acquisition } = createHostTrust({ ...options, client, cache, log, counters: metrics });
  const codeCache = createCodeCache(options.codeCache && { key: options.codeCache.key, dir: options.codeCache.dir ?? path.join(cache.dir, 'code') });
  const federation = createNodeFederation({ hostName, hostId: randomBytes(6).toString('hex'), shared: options.shared ?? {}, codeCache });
  const host = createHost<VerifiedRelease>({
    remotes: options.remotes,
    client,
    transport,
    token: options.token,
    ...acquisition,
    trust,
    states: cache.states,
    federation,
    hostShared: options.shared ?? {},
    instanceId,
    service: options.service ?? hostName,
    kind: 'node',
    boot: 'eager',
    watch: options.watch,
    recheckIntervalMs: options.recheckIntervalMs ?? DEFAULT_RECHECK_MS,
    reportIntervalMs: options.reportIntervalMs ?? DEFAULT_REPORT_MS,
    log,
    counters: metrics,
    cpuTime: processCpuTime,
  });

  async function importModule<T>(id: string, deadlineMs = DEFAULT_DEADLINE_MS): Promise<T> {
    const { slot, expose } = host.slotOf(id);
    const { name, spec } = slot.remote;
    try {
      try {
        await slot.ready(deadlineMs);
        return (await slot.module(expose)) as T;
      } catch (error) {
        if (slot.release()) throw error;
        throw unavailable(name, spec, error);
      }
    } catch (error) {
      const fallback = options.fallbacks?.[id];
      if (!fallback || !isModmeshError(error) || error.code !== 'MODMESH_REMOTE_UNAVAILABLE') throw error;
      metrics.inc('modmesh_runtime_fallbacks_total', { remote: name });
      log('warn', `${id}: serving the fallback module`, {
        code: 'MODMESH_FALLBACK_USED',
        remote: name,
        cause: (error.cause as ModmeshError | undefined)?.code,
      });
      return (await fallback()) as T;
    }
  }

  return {
    import: <T>(id: string, importOptions?: { deadlineMs?: number }) => importModule<T>(id, importOptions?.deadlineMs),
    live<T>(id: string): LiveModule<T> {
      const { slot, expose } = host.slotOf(id);
      return {
        get: (deadlineMs) => importModule<T>(id, deadlineMs),
        current: () => slot.modules().get(expose) as T | undefined,
        version: () => slot.status().version,
      };
    },
    status() {
      const events = host.events();
      return {
        instanceId,
        remotes: Object.fromEntries(Object.entries(host.statuses()).map(([alias, status]) => [alias, remoteStatus(status)])),
        shared: federation.shared(),
        events: events === 'connecting' ? 'off' : events,
        ...(trust && { trust: trust.summary() }),
      };
    },
    metrics: () => metrics.text(),
    async close() {
      await host.close();
      await codeCache.close();
    },
  };
}

// --- internal ---

function processCpuTime(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function remoteStatus(status: SlotStatus & { stale?: StaleState }): RemoteStatus {
  const { name, lastError, state, ...rest } = status;
  return {
    remote: name,
    ...rest,
    state: state === 'idle' ? 'loading' : state,
    ...(lastError && { lastError: { code: lastError.code, message: lastError.message } }),
  };
}

function unavailable(name: string, spec: string, cause: unknown): ModmeshError {
  const reason = isModmeshError(cause) ? `${cause.code}: ${cause.message}` : 'not loaded yet';
  return new ModmeshError('MODMESH_REMOTE_UNAVAILABLE', `${name}@${spec} is not available: ${reason}`, { remote: name, cause });
}
