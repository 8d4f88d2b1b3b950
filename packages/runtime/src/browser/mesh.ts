import { createFetchTransport, createRegistryClient } from '@modmesh/api';
import {
  type CoreRelease,
  coded,
  createFederation,
  createHost,
  createLazyTrust,
  createMemoryStateStore,
  parseRemotes,
  type SharedPackage,
  type StaleState,
} from '@modmesh/host-core';
import { importTrustedKeys, ModmeshError, type ModmeshErrorJson, verifyReleaseWeb, type WebTrustedKeys } from '@modmesh/manifest/web';
import type { TrustSummary } from '@modmesh/trust';
import type { RemoteModuleId, RemoteModules } from '../remote-modules.js';
import { allowFiles, diagnoseScript, loadEntry } from './scripts.js';

export type BrowserSharedPackage = SharedPackage;

export interface BrowserMeshOptions {
  /** The registry's URL. */
  registry: string;
  /** Remotes this page uses: `{ auth: 'auth@stable' }`, a tag, a version or a semver range. */
  remotes: Record<string, string>;
  /**
   * The root of trust (TUF): the text of `root.json`, exactly as signed (inline it in the page's
   * config). Which release each remote runs then comes from the registry's signed metadata,
   * verified from it with WebCrypto. Give either `root` or `trust`.
   */
  root?: string;
  /** Ed25519 public keys (`ed25519:...`) trusted per remote name, without a root. A remote with none is refused. */
  trust?: Record<string, readonly string[]>;
  /** Packages the page provides to every remote (a UI library as a singleton). */
  shared?: Record<string, BrowserSharedPackage>;
  /** This page's name in Module Federation share scopes. @default "modmesh_web" */
  name?: string;
  /** The name reported to the registry's consumers list. @default name */
  service?: string;
  /** A token for registries that require one for reads (sent with every request and on the event stream). */
  token?: string;
  /** @default { resolveMs: 5000, loadMs: 15000 } */
  deadlines?: { resolveMs?: number; loadMs?: number };
  /** Follow the registry's event stream and swap releases live. @default true */
  watch?: boolean;
  /** How often to re-resolve every remote in use even without events; 0 turns it off. @default 60000 */
  recheckIntervalMs?: number;
  /** How often to tell the registry what this page runs; 0 turns it off. @default 15000 */
  reportIntervalMs?: number;
  /** Told of every load, swap and coded error, for the page's own log or telemetry. */
  onEvent?: (event: BrowserMeshEvent) => void;
}

export type BrowserMeshEvent =
  | { type: 'loaded'; remote: string; version: string }
  | { type: 'swapped'; remote: string; version: string; previous: string }
  | { type: 'error'; remote: string; error: ModmeshErrorJson }
  /** With a root: the registry's metadata was refused or could not be fetched (a rollback, a forgery, too large...); the page keeps what it verified. */
  | { type: 'trust'; error: ModmeshErrorJson }
  /** With a root: no fresh metadata of `remote` could be verified since `since`; the page still runs what it verified. */
  | { type: 'stale'; remote: string; code: 'MODMESH_STALE'; role: string; since: string | undefined; cause?: string | undefined };

export interface RemoteState {
  name: string;
  spec: string;
  state: 'idle' | 'loading' | 'ready' | 'failed';
  version?: string;
  since?: string;
  lastError?: ModmeshErrorJson;
  /** With a root: the metadata this remote depends on has expired (still running what was verified). */
  stale?: StaleState;
}

export interface BrowserMesh {
  /**
   * `alias/Expose` (e.g. `auth/LoginForm`) from the running release of that remote. Typed by its
   * id once `modmesh types pull` declared it (RemoteModules); any other id takes a type argument.
   */
  import<Id extends RemoteModuleId>(id: Id): Promise<RemoteModules[Id]>;
  import<T = unknown>(id: string): Promise<T>;
  /** Called after every swap of `alias` to another release; returns the unsubscribe. */
  subscribe(alias: string, listener: (version: string) => void): () => void;
  version(alias: string): string | undefined;
  status(): { instanceId: string; events: 'connected' | 'connecting' | 'off'; remotes: Record<string, RemoteState>; trust?: TrustStatus };
  close(): void;
}

/** With a root: the newest metadata the page verified, and why the last update failed while it does. */
export interface TrustStatus extends TrustSummary {
  lastError?: ModmeshErrorJson;
}

/** A release a page runs: verified with WebCrypto, its files loaded by URL with their signed integrity. */
interface BrowserRelease extends CoreRelease {
  urlOf(path: string): string;
}

const DEFAULT_RESOLVE_MS = 5000;
const DEFAULT_LOAD_MS = 15_000;
const DEFAULT_RECHECK_MS = 60_000;
const DEFAULT_REPORT_MS = 15_000;

/**
 * The modmesh runtime for a browser page: @modmesh/host-core's lifecycle (the same rules as Node
 * hosts), with the signature checked by WebCrypto before any script is added, the container's
 * entry and chunks loaded through `<script integrity>` from the signed manifest, the page's
 * singletons shared through the Module Federation runtime, and live swaps when a followed tag
 * moves. A module that cannot be loaded rejects with a coded error; the page shows its fallback.
 *
 * @example
 * const mesh = createBrowserMesh({ registry, remotes: { auth: 'auth@stable' }, trust: { auth: [key] }, shared: { react: { version: React.version, lib: () => React } } });
 * const { default: LoginForm } = await mesh.import('auth/LoginForm');
 */
export function createBrowserMesh(options: BrowserMeshOptions): BrowserMesh {
  const instanceId = crypto.randomUUID();
  const transport = createFetchTransport();
  const resolveMs = options.deadlines?.resolveMs ?? DEFAULT_RESOLVE_MS;
  const loadMs = options.deadlines?.loadMs ?? DEFAULT_LOAD_MS;
  const client = createRegistryClient({
    url: options.registry,
    token: options.token,
    transport,
    deadlines: { connectMs: resolveMs / 2, firstByteMs: resolveMs / 2, totalMs: resolveMs },
  });
  const emit = options.onEvent ?? (() => undefined);
  const trusted = new Map<string, Promise<WebTrustedKeys>>();
  const listeners = new Map<string, Set<(version: string) => void>>();
  const told = new WeakSet<object>();

  const trustOf = (name: string): Promise<WebTrustedKeys> => {
    let keys = trusted.get(name);
    if (!keys) {
      const listed = options.trust?.[name] ?? [];
      keys =
        listed.length === 0
          ? Promise.reject(
              new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `no key is trusted for ${name}; add its publisher key to trust.${name}`, { remote: name }),
            )
          : importTrustedKeys(listed);
      keys.catch(() => undefined);
      trusted.set(name, keys);
    }
    return keys;
  };

  const tellError = (alias: string, error: ModmeshError): void => {
    if (told.has(error)) return;
    told.add(error);
    console.error(`[modmesh] ${error.code}: ${error.message}`);
    emit({ type: 'error', remote: alias, error: error.toJSON() });
  };

  const federation = createFederation<BrowserRelease>({
    hostName: options.name ?? 'modmesh_web',
    hostId: instanceId.replace(/-/g, '').slice(0, 12),
    shared: options.shared ?? {},
    loadDeadlineMs: loadMs,
    async loadContainer({ release }) {
      allowFiles(release.manifest, release.urlOf);
      const label = `${release.name}@${release.version}`;
      const container = await loadEntry({
        url: release.urlOf(release.container.entry),
        name: release.container.name,
        label,
        file: release.container.entry,
        deadlineMs: loadMs,
      });
      return { container, ownInstance: false };
    },
    // A chunk the browser refused or could not fetch surfaces from webpack as a ChunkLoadError
    // naming its URL: the bytes at that URL say which.
    async explain(error, release) {
      const chunk = error as { name?: string; request?: string } | null;
      if (chunk?.name !== 'ChunkLoadError' || typeof chunk.request !== 'string') return undefined;
      const file = new URL(chunk.request).pathname.split('/files/').pop() ?? chunk.request;
      return diagnoseScript(chunk.request, { label: `${release.name}@${release.version}`, file: decodeURIComponent(file), deadlineMs: loadMs });
    },
  });

  if (options.root !== undefined && options.trust !== undefined) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', 'both `root` and `trust` are given: with a root, who may publish each remote is in the signed metadata');
  }
  // A page keeps what it verified in memory: a reload starts from the root again.
  const root = options.root;
  const rootTrust =
    root === undefined
      ? undefined
      : createLazyTrust(async () =>
          (await import('./root-trust.js')).createPageRootTrust({
            root,
            client,
            remotes: [...new Set(parseRemotes(options.remotes).map((remote) => remote.name))],
            // A failed cycle is said once per code (the core repeats nothing), so each one is worth showing.
            log(level, msg, fields) {
              const code = (fields as { code?: ModmeshErrorJson['code'] } | undefined)?.code;
              if (level !== 'warn' || !code) return;
              const remote = (fields as { remote?: string }).remote;
              const error = new ModmeshError(code, msg, remote ? { remote } : {}).toJSON();
              console.error(`[modmesh] ${code}: ${msg}`);
              emit(remote ? { type: 'error', remote, error } : { type: 'trust', error });
            },
          }),
        );

  const host = createHost<BrowserRelease>({
    remotes: options.remotes,
    client,
    transport,
    token: options.token,
    trust: rootTrust,
    async acquire(remote, answer) {
      const manifest =
        answer.manifest ??
        (await verifyReleaseWeb(answer.release, { trusted: await trustOf(remote.name), expect: { name: remote.name, version: answer.version } }));
      const container = manifest.containers.find((candidate) => candidate.target === 'web');
      if (!container) {
        throw new ModmeshError(
          'MODMESH_MANIFEST_INVALID',
          `${manifest.name}@${manifest.version} has no container for browsers (only ${manifest.containers.map((c) => c.target).join(', ')})`,
          { remote: manifest.name, version: manifest.version },
        );
      }
      return {
        name: manifest.name,
        version: manifest.version,
        manifest,
        container,
        ...(answer.tag && { tag: { name: answer.tag.name, seq: answer.tag.seq, kind: answer.tag.kind, ...(answer.tag.signed && { signed: true }) } }),
        source: 'registry',
        // With a root, files are named by the release document the publishers' role lists: a
        // registry that requires read tokens serves them so to a <script>, which sends none.
        urlOf: (path) =>
          answer.documentSha256 ? client.documentFileUrl(manifest.name, answer.documentSha256, path) : client.fileUrl(manifest.name, manifest.version, path),
      };
    },
    states: createMemoryStateStore(),
    federation,
    hostShared: options.shared ?? {},
    instanceId,
    service: options.service ?? options.name ?? 'modmesh_web',
    kind: 'browser',
    // A page resolves a remote when it first uses it, and follows only what happens from then on.
    boot: 'lazy',
    eventsFrom: 'latest',
    watch: options.watch,
    recheckIntervalMs: options.recheckIntervalMs ?? DEFAULT_RECHECK_MS,
    reportIntervalMs: options.reportIntervalMs ?? DEFAULT_REPORT_MS,
    log(_level, msg, fields) {
      const stale = fields as { code?: string; remote?: string; role?: string; since?: string; cause?: string } | undefined;
      if (stale?.code !== 'MODMESH_STALE' || !stale.remote) return;
      console.warn(`[modmesh] MODMESH_STALE: ${msg}`);
      emit({ type: 'stale', remote: stale.remote, code: 'MODMESH_STALE', role: stale.role ?? 'unknown', since: stale.since, cause: stale.cause });
    },
    counters: { inc: () => undefined },
    onChange({ alias, from, to }) {
      if (from === undefined) emit({ type: 'loaded', remote: alias, version: to });
      else emit({ type: 'swapped', remote: alias, version: to, previous: from });
      for (const listener of listeners.get(alias) ?? []) listener(to);
    },
    onError: tellError,
  });

  return {
    async import<T>(id: string): Promise<T> {
      const { slot, expose } = host.slotOf(id);
      try {
        await slot.ready(resolveMs + loadMs);
        return (await slot.module(expose)) as T;
      } catch (error) {
        const failure = coded(error);
        tellError(slot.remote.alias, failure);
        throw failure;
      }
    },
    subscribe(alias, listener) {
      if (!host.slot(alias)) {
        throw new ModmeshError('MODMESH_CONFIG_INVALID', `"${alias}" is not a configured remote (${Object.keys(options.remotes).join(', ')})`);
      }
      const set = listeners.get(alias) ?? new Set();
      set.add(listener);
      listeners.set(alias, set);
      return () => set.delete(listener);
    },
    version: (alias) => host.slot(alias)?.status().version,
    status() {
      const remotes: Record<string, RemoteState> = {};
      for (const [alias, status] of Object.entries(host.statuses())) {
        remotes[alias] = {
          name: status.name,
          spec: status.spec,
          state: status.state,
          ...(status.version && { version: status.version }),
          ...(status.since && { since: status.since }),
          ...(status.lastError && { lastError: status.lastError.toJSON() }),
          ...(status.stale && { stale: status.stale }),
        };
      }
      const events = host.events();
      const summary = rootTrust?.summary();
      const failure = rootTrust?.failure();
      const trust = summary && { ...summary, ...(failure && { lastError: failure.toJSON() }) };
      return { instanceId, events: events === 'disconnected' ? 'connecting' : events, remotes, ...(trust && { trust }) };
    },
    close() {
      void host.close();
    },
  };
}
