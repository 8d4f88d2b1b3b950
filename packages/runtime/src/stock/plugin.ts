import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createRegistryClient } from '@modmesh/api';
import { createNodeTransport } from '@modmesh/api/node';
import { createHost, type Host, type SlotStatus, type Trust } from '@modmesh/host-core';
import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import type { ModuleFederationRuntimePlugin } from '@module-federation/runtime';
import type { VerifiedRelease } from '../acquire.js';
import { createReleaseCache } from '../cache.js';
import { createHostTrust } from '../host-trust.js';
import { jsonLogger, type Logger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { hostTrustFromEnv } from '../trust-env.js';
import { createLiveModule } from './live-module.js';
import { createStockFederation, type StockHost } from './stock-federation.js';

/**
 * The options of the runtime plugin, given in the host's Module Federation config (they are
 * written into the bundle as JSON: public values only). What differs between environments comes
 * from the environment.
 */
export interface ModmeshPluginOptions {
  /** The host's remote names (as in its `remotes` config) → what each follows at the registry: `{ authServiceRemote: 'auth@stable' }`. */
  remotes: Record<string, string>;
  /** The registry. @default MODMESH_REGISTRY */
  registry?: string;
  /**
   * The root of trust (TUF): a path to `root.json` (a path, as the options are written into the
   * bundle). @default MODMESH_ROOT. Give `root` or `trust`, not both.
   */
  root?: string;
  /** Publisher keys trusted per registry remote, without a root. @default MODMESH_TRUST_<NAME> or MODMESH_TRUST_<NAME>_FILE */
  trust?: Record<string, string[]>;
  /** Where verified releases are cached. @default MODMESH_CACHE_DIR, else ".modmesh/cache" */
  cacheDir?: string;
  /** The name reported to the registry. @default the host's Module Federation name */
  service?: string;
  /** How long the host's first import of a remote module waits for a verified release. @default 10000 */
  firstLoadMs?: number;
  /** @default true */
  watch?: boolean;
  /** @default 60000 */
  recheckIntervalMs?: number;
  /** @default 15000; 0 turns reports off */
  reportIntervalMs?: number;
}

/** What a stock host running the plugin runs, for its health route: `import { modmeshStatus } from '@modmesh/runtime/federation-plugin'`. */
export interface StockHostStatus {
  remotes: Record<string, SlotStatus>;
  events: ReturnType<Host<VerifiedRelease>['events']>;
  /** With a root: the versions of the verified metadata, and when the timestamp expires. */
  trust?: ReturnType<Trust['summary']>;
  metrics: string;
}

const DEFAULT_FIRST_LOAD_MS = 10_000;
const DEFAULT_RECHECK_MS = 60_000;
const DEFAULT_REPORT_MS = 15_000;
const running = new Set<() => StockHostStatus>();

/**
 * A Module Federation runtime plugin that gives a stock host (webpack or rspack, its config and
 * code unchanged but for this plugin) what `createMesh` gives a modmesh host: each remote is
 * resolved at the registry (`auth@stable`), its signed manifest and every byte are verified
 * before anything is evaluated, releases are cached for restarts while the registry is down,
 * every request has deadlines, failures are coded, what runs is reported, and tag moves are
 * swapped in live. The URLs in the host's `remotes` are never fetched: a remote the plugin does
 * not know is refused (MODMESH_CONFIG_INVALID), not loaded unchecked.
 *
 * @example
 * // webpack.config.js of the host
 * new ModuleFederationPlugin({
 *   name: 'userServiceHost',
 *   remotes: { authServiceRemote: 'authServiceRemote@http://localhost:3001/remoteEntry.js' },
 *   runtimePlugins: [['@modmesh/runtime/federation-plugin', { remotes: { authServiceRemote: 'auth@stable' } }]],
 * });
 */
export default function modmeshFederationPlugin(options: ModmeshPluginOptions): ModuleFederationRuntimePlugin {
  const env = process.env;
  const registry = options.registry ?? env.MODMESH_REGISTRY;
  if (!registry) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', 'the modmesh runtime plugin has no registry: set MODMESH_REGISTRY (or its `registry` option)', {
      hint: 'For example MODMESH_REGISTRY=http://127.0.0.1:4000.',
    });
  }
  const names = Object.values(options.remotes).map((value) => value.split('@')[0] ?? value);
  // Given in the config, or from the environment by the rule every Node host follows.
  const trust = options.root !== undefined || options.trust !== undefined ? { root: options.root, trust: options.trust } : hostTrustFromEnv(names, env);
  const log: Logger = jsonLogger(options.service ?? 'modmesh');
  const metrics = createMetrics();
  const transport = createNodeTransport();
  const client = createRegistryClient({
    url: registry,
    token: env.MODMESH_READ_TOKEN,
    transport,
    onFailure: (error, remote) => {
      if (remote !== undefined) metrics.inc('modmesh_runtime_registry_failures_total', { remote, code: error.code });
    },
  });
  const cache = createReleaseCache(options.cacheDir ?? env.MODMESH_CACHE_DIR ?? path.join('.modmesh', 'cache'));
  let hostReady: (host: StockHost) => void = () => {};
  const hostInstance = new Promise<StockHost>((resolve) => {
    hostReady = resolve;
  });
  const federation = createStockFederation({ hostId: randomBytes(6).toString('hex'), host: () => hostInstance });
  const { trust: rootTrust, ...acquisition } = createHostTrust({ remotes: options.remotes, ...trust, client, cache, log, counters: metrics });
  const host = createHost<VerifiedRelease>({
    remotes: options.remotes,
    client,
    transport,
    token: env.MODMESH_READ_TOKEN,
    ...acquisition,
    trust: rootTrust,
    states: cache.states,
    federation,
    hostShared: {},
    instanceId: randomUUID(),
    service: options.service ?? 'modmesh-stock-host',
    kind: 'node',
    boot: 'eager',
    watch: options.watch,
    recheckIntervalMs: options.recheckIntervalMs ?? DEFAULT_RECHECK_MS,
    reportIntervalMs: options.reportIntervalMs ?? DEFAULT_REPORT_MS,
    log,
    counters: metrics,
  });
  running.add(() => {
    const summary = rootTrust?.summary();
    return { remotes: host.statuses(), events: host.events(), ...(summary && { trust: summary }), metrics: metrics.text() };
  });
  const firstLoadMs = options.firstLoadMs ?? DEFAULT_FIRST_LOAD_MS;

  // The container the host's runtime is given for a remote: its modules are the running
  // release's, whichever that is when they are read (live-module.ts).
  const standIn = (alias: string) => ({
    init: () => undefined,
    async get(expose: string) {
      const { slot } = host.slotOf(`${alias}/${expose.replace(/^\.\//, '')}`);
      const name = `./${expose.replace(/^\.\//, '')}`;
      await slot.module(name);
      const live = createLiveModule(() => slot.modules().get(name) as object);
      return () => live;
    },
  });

  return {
    name: 'modmesh-stock-host',
    init({ origin }) {
      hostReady(origin as unknown as StockHost);
    },
    async loadEntry({ remoteInfo, origin }) {
      hostReady(origin as unknown as StockHost);
      const alias = remoteInfo.name;
      const slot = host.slot(alias);
      if (!slot) {
        throw new ModmeshError(
          'MODMESH_CONFIG_INVALID',
          `the host's remote ${alias} is not followed through modmesh, so it is not loaded: its entry (${remoteInfo.entry}) would run unverified`,
          { hint: `Add it to the plugin's remotes: { ${alias}: 'NAME@stable' }.` },
        );
      }
      try {
        await slot.ready(firstLoadMs);
      } catch (error) {
        throw new ModmeshError('MODMESH_REMOTE_UNAVAILABLE', `${alias} (${slot.remote.name}@${slot.remote.spec}) is not available: ${describe(error)}`, {
          remote: slot.remote.name,
          cause: error,
        });
      }
      return standIn(alias) as never;
    },
  };
}

/** What every stock host in this process runs (one per plugin instance, usually one). */
export function modmeshStatus(): StockHostStatus[] {
  return [...running].map((status) => status());
}

// --- internal ---

function describe(error: unknown): string {
  return isModmeshError(error) ? `${error.code}: ${error.message}` : String(error);
}
