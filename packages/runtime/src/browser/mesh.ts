import {
  type ErrorCode,
  importTrustedKeys,
  isModmeshError,
  ModmeshError,
  type ModmeshErrorJson,
  REMOTE_NAME,
  specKindOf,
  verifyReleaseWeb,
  type WebTrustedKeys,
} from '@modmesh/manifest/web';
import { createInstance, type ModuleFederationRuntimePlugin } from '@module-federation/runtime';
import semver from 'semver';
import { runtimeNameOf } from '../container-name.js';
import { BAD_RELEASE_CODES, backoffMs } from '../failures.js';
import { replayOf } from '../replay.js';
import { type ShareScopeMap, withOwnScopes } from '../share-scopes.js';
import { createBrowserRegistry, type Resolved } from './registry.js';
import { allowFiles, diagnoseScript, loadEntry, type WebContainer } from './scripts.js';

export interface BrowserSharedPackage {
  version: string;
  lib: () => unknown;
  /** @default true */
  singleton?: boolean;
  /** @default `^${version}` */
  requiredVersion?: string;
}

export interface BrowserMeshOptions {
  /** The registry's URL. */
  registry: string;
  /** Remotes this page uses: `{ auth: 'auth@stable' }`, a tag, a version or a semver range. */
  remotes: Record<string, string>;
  /** Ed25519 public keys (`ed25519:...`) trusted per remote name. A remote with none is refused. */
  trust: Record<string, readonly string[]>;
  /** Packages the page provides to every remote (a UI library as a singleton). */
  shared?: Record<string, BrowserSharedPackage>;
  /** This page's name in Module Federation share scopes. @default "modmesh_web" */
  name?: string;
  /** The name reported to the registry's consumers list. @default name */
  service?: string;
  /** A token for registries that require one for reads. */
  token?: string;
  /** @default { resolveMs: 5000, loadMs: 15000 } */
  deadlines?: { resolveMs?: number; loadMs?: number };
  /** Follow the registry's event stream and swap releases live. @default true */
  watch?: boolean;
  /** How often to tell the registry what this page runs; 0 turns it off. @default 15000 */
  reportIntervalMs?: number;
  /** Told of every load, swap and coded error, for the page's own log or telemetry. */
  onEvent?: (event: BrowserMeshEvent) => void;
}

export type BrowserMeshEvent =
  | { type: 'loaded'; remote: string; version: string }
  | { type: 'swapped'; remote: string; version: string; previous: string }
  | { type: 'error'; remote: string; error: ModmeshErrorJson };

export interface RemoteState {
  name: string;
  spec: string;
  state: 'idle' | 'loading' | 'ready' | 'failed';
  version?: string;
  since?: string;
  lastError?: ModmeshErrorJson;
}

export interface BrowserMesh {
  /** `alias/Expose` (e.g. `auth/LoginForm`) from the running release of that remote. */
  import<T>(id: string): Promise<T>;
  /** Called after every swap of `alias` to another release; returns the unsubscribe. */
  subscribe(alias: string, listener: (version: string) => void): () => void;
  version(alias: string): string | undefined;
  status(): { instanceId: string; events: 'connected' | 'connecting' | 'off'; remotes: Record<string, RemoteState> };
  close(): void;
}

const DEFAULT_RESOLVE_MS = 5000;
const DEFAULT_LOAD_MS = 15_000;
const DEFAULT_REPORT_MS = 15_000;

interface Installed {
  version: string;
  /** Its name in the federation runtime: the host's, never the build's (see container-name.ts). */
  runtimeName: string;
  entryKey: string;
  /** The share scopes its container was initialised with (see share-scopes.ts). */
  scopes?: ShareScopeMap;
  tag: Resolved['tag'];
  since: string;
  modules: Map<string, unknown>;
}

interface Slot {
  alias: string;
  name: string;
  spec: string;
  kind: 'version' | 'range' | 'tag';
  current?: Installed;
  /** The first load, or the update under way. */
  busy?: Promise<Installed>;
  updateAgain: boolean;
  /** Updates failed in a row for reasons other than the release; the retry's backoff. */
  failures: number;
  retryTimer?: ReturnType<typeof setTimeout>;
  /** The last release offered and refused (`version#seq`). */
  refused?: string | undefined;
  used: Set<string>;
  listeners: Set<(version: string) => void>;
  lastError?: ModmeshErrorJson;
}

/**
 * The modmesh runtime for a browser page: resolves each remote at the registry, checks the
 * release's signature with WebCrypto before any script is added, loads the container's entry
 * and chunks through `<script integrity>` taken from the signed manifest, shares the page's
 * singletons through the Module Federation runtime, and swaps releases live when a followed tag
 * moves. A module that cannot be loaded rejects with a coded error; the page shows its fallback.
 *
 * @example
 * const mesh = createBrowserMesh({ registry, remotes: { auth: 'auth@stable' }, trust: { auth: [key] }, shared: { react: { version: React.version, lib: () => React } } });
 * const { default: LoginForm } = await mesh.import('auth/LoginForm');
 */
export function createBrowserMesh(options: BrowserMeshOptions): BrowserMesh {
  const instanceId = crypto.randomUUID();
  const registry = createBrowserRegistry(options.registry, options.token);
  const resolveMs = options.deadlines?.resolveMs ?? DEFAULT_RESOLVE_MS;
  const loadMs = options.deadlines?.loadMs ?? DEFAULT_LOAD_MS;
  const emit = options.onEvent ?? (() => undefined);
  const trusted = new Map<string, Promise<WebTrustedKeys>>();
  const containers = new Map<string, WebContainer>();
  const installs = new Map<string, Installed>();
  const slots = new Map<string, Slot>(Object.entries(options.remotes).map(([alias, target]) => [alias, slotOf(alias, target)]));
  let events: 'connected' | 'connecting' | 'off' = 'off';
  let closed = false;

  const plugin: ModuleFederationRuntimePlugin = {
    name: 'modmesh-verified-web-loader',
    // The runtime never adds a script itself: it gets the container loaded with integrity.
    async loadEntry({ remoteInfo }) {
      const container = containers.get(remoteInfo.entry);
      if (!container) {
        throw new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', `${remoteInfo.name}: no verified release is installed for ${remoteInfo.entry}`, {
          remote: remoteInfo.name,
        });
      }
      return container as never;
    },
    // Each container shares the page's copies and its own, never another remote's.
    async beforeInitContainer(args) {
      const installed = installs.get(args.remoteInfo.entry);
      return installed ? withOwnScopes(args, federation.shareScopeMap as unknown as ShareScopeMap, installed) : args;
    },
  };
  const federation = createInstance({
    name: options.name ?? 'modmesh_web',
    remotes: [],
    shared: Object.fromEntries(
      Object.entries(options.shared ?? {}).map(([name, pkg]) => [
        name,
        { version: pkg.version, lib: pkg.lib, shareConfig: { singleton: pkg.singleton ?? true, requiredVersion: pkg.requiredVersion ?? `^${pkg.version}` } },
      ]),
    ),
    plugins: [plugin],
  });

  const trustOf = (name: string): Promise<WebTrustedKeys> => {
    let keys = trusted.get(name);
    if (!keys) {
      const listed = options.trust[name] ?? [];
      keys =
        listed.length === 0
          ? Promise.reject(
              new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `no key is trusted for ${name}; add its publisher key to trust.${name}`, { remote: name }),
            )
          : importTrustedKeys(listed);
      trusted.set(name, keys);
    }
    return keys;
  };

  const fail = (slot: Slot, error: unknown): ModmeshError => {
    const coded = isModmeshError(error)
      ? (error as ModmeshError)
      : new ModmeshError('MODMESH_REMOTE_EVALUATION_FAILED', `${slot.name}: ${(error as Error)?.message ?? String(error)}`, {
          remote: slot.name,
          cause: error,
        });
    slot.lastError = coded.toJSON();
    console.error(`[modmesh] ${coded.code}: ${coded.message}`);
    emit({ type: 'error', remote: slot.alias, error: slot.lastError });
    return coded;
  };

  const loadModule = async (slot: Slot, installed: Installed, expose: string): Promise<unknown> => {
    const known = installed.modules.get(expose);
    if (known) return known;
    const label = `${slot.name}@${installed.version}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ModmeshError('MODMESH_REMOTE_TIMEOUT', `${label}: ${expose} did not load within ${loadMs} ms`, { remote: slot.name })),
        loadMs,
      );
    });
    try {
      const module = await Promise.race([federation.loadRemote(`${installed.runtimeName}/${expose.replace(/^\.\//, '')}`), deadline]);
      if (module === null || module === undefined) {
        throw new ModmeshError('MODMESH_EXPOSE_NOT_FOUND', `${label} does not expose ${expose}`, { remote: slot.name, version: installed.version });
      }
      installed.modules.set(expose, module);
      return module;
    } catch (error) {
      throw await codedLoadError(error, label, expose, loadMs);
    } finally {
      clearTimeout(timer);
    }
  };

  const install = async (slot: Slot, resolved: Resolved): Promise<Installed> => {
    const manifest = await verifyReleaseWeb(resolved.release, { trusted: await trustOf(slot.name), expect: { name: slot.name, version: resolved.version } });
    const container = manifest.containers.find((candidate) => candidate.target === 'web');
    const label = `${manifest.name}@${manifest.version}`;
    if (!container) {
      throw new ModmeshError(
        'MODMESH_MANIFEST_INVALID',
        `${label} has no container for browsers (only ${manifest.containers.map((c) => c.target).join(', ')})`,
        {
          remote: manifest.name,
          version: manifest.version,
        },
      );
    }
    const urlOf = (path: string): string => registry.fileUrl(manifest.name, manifest.version, path);
    allowFiles(manifest, urlOf);
    const entry = await loadEntry({ url: urlOf(container.entry), name: container.name, label, file: container.entry, deadlineMs: loadMs });
    const sha256 = manifest.files.find((file) => file.path === container.entry)?.sha256 ?? 'unknown';
    const next: Installed = {
      version: manifest.version,
      runtimeName: runtimeNameOf(slot.name, sha256, instanceId.replace(/-/g, '').slice(0, 12)),
      entryKey: `modmesh:${label}#${sha256.slice(0, 16)}.${instanceId}`,
      tag: resolved.tag,
      since: new Date().toISOString(),
      modules: new Map(),
    };
    const previous = slot.current;
    containers.set(next.entryKey, entry);
    installs.set(next.entryKey, next);
    register(next, previous);
    try {
      // Every module the page uses loads before the swap: the page never sees half a release.
      for (const expose of slot.used) await loadModule(slot, next, expose);
    } catch (error) {
      containers.delete(next.entryKey);
      installs.delete(next.entryKey);
      register(previous, next);
      throw error;
    }
    if (previous) {
      containers.delete(previous.entryKey);
      installs.delete(previous.entryKey);
    }
    slot.current = next;
    slot.lastError = undefined;
    if (previous) emit({ type: 'swapped', remote: slot.alias, version: next.version, previous: previous.version });
    else emit({ type: 'loaded', remote: slot.alias, version: next.version });
    for (const listener of slot.listeners) listener(next.version);
    void report();
    return next;
  };

  const register = (next: Installed | undefined, replaced: Installed | undefined): void => {
    const known = replaced && federation.options.remotes.find((candidate) => candidate.name === replaced.runtimeName);
    // removeRemote is public at run time but typed private (see federation.ts for Node hosts).
    if (known) (federation.remoteHandler as unknown as { removeRemote(remote: unknown): void }).removeRemote(known);
    if (next) federation.registerRemotes([{ name: next.runtimeName, entry: next.entryKey }]);
  };

  const ensure = (slot: Slot): Promise<Installed> => {
    if (slot.current) return Promise.resolve(slot.current);
    slot.busy ??= registry
      .resolve(slot.name, slot.spec, resolveMs)
      .then((resolved) => install(slot, resolved))
      .finally(() => {
        slot.busy = undefined;
      });
    return slot.busy;
  };

  const update = (slot: Slot): void => {
    if (!slot.current || slot.kind === 'version' || closed) return;
    if (slot.busy) {
      slot.updateAgain = true;
      return;
    }
    const current = slot.current;
    let offered: string | undefined;
    slot.busy = registry
      .resolve(slot.name, slot.spec, resolveMs)
      .then(async (resolved) => {
        offered = `${resolved.version}#${resolved.tag?.seq ?? ''}`;
        if (resolved.version === current.version) {
          if (resolved.tag) current.tag = resolved.tag;
          return current;
        }
        if (slot.kind === 'range' && !semver.gt(resolved.version, current.version)) return current;
        // Refused once: not fetched, verified and reported again until the tag offers another.
        if (offered === slot.refused) return current;
        const replay = replayOf({ name: slot.name, version: current.version, tag: current.tag }, resolved.version, resolved.tag);
        if (replay) throw new ModmeshError('MODMESH_REPLAY_REFUSED', replay, { remote: slot.name, version: current.version });
        return install(slot, resolved);
      })
      .then((installed) => {
        slot.failures = 0;
        return installed;
      })
      .catch((error: unknown) => {
        const failure = fail(slot, error);
        if (failure.code === 'MODMESH_REPLAY_REFUSED' || BAD_RELEASE_CODES.has(failure.code)) {
          slot.refused = offered;
        } else {
          // The network, not the release: try again until it is back, not only at the next event.
          slot.failures += 1;
          clearTimeout(slot.retryTimer);
          slot.retryTimer = setTimeout(() => update(slot), backoffMs(slot.failures));
        }
        return current;
      })
      .finally(() => {
        slot.busy = undefined;
        if (slot.updateAgain) {
          slot.updateAgain = false;
          update(slot);
        }
      });
  };

  const report = async (): Promise<void> => {
    if (options.reportIntervalMs === 0) return;
    const remotes = [...slots.values()].flatMap((slot) =>
      slot.current ? [{ name: slot.name, version: slot.current.version, since: slot.current.since }] : [],
    );
    if (remotes.length === 0) return;
    await registry.report({ instanceId, service: options.service ?? options.name ?? 'modmesh_web', kind: 'browser', remotes }).catch(() => undefined);
  };

  let source: EventSource | undefined;
  if (options.watch !== false && typeof EventSource !== 'undefined') {
    // Only what happens from now on: every remote is resolved when first used, and reconnects
    // resume from the last event seen (Last-Event-ID), then re-check every remote anyway.
    source = new EventSource(new URL('v1/events?lastEventId=latest', registry.url).href);
    events = 'connecting';
    const onChange = (message: MessageEvent<string>, type: string): void => {
      const data = parseEvent(message.data);
      for (const slot of slots.values()) {
        if (data?.name !== slot.name) continue;
        if ((type === 'tag.moved' && slot.kind === 'tag' && data.tag === slot.spec) || (type === 'release.published' && slot.kind === 'range')) update(slot);
      }
    };
    source.addEventListener('tag.moved', (message) => onChange(message, 'tag.moved'));
    source.addEventListener('release.published', (message) => onChange(message, 'release.published'));
    source.addEventListener('open', () => {
      // After a reconnect: whatever moved while the stream was down.
      if (events === 'connecting') for (const slot of slots.values()) update(slot);
      events = 'connected';
    });
    source.addEventListener('error', () => {
      events = 'connecting';
    });
  }
  const reporter = options.reportIntervalMs === 0 ? undefined : setInterval(() => void report(), options.reportIntervalMs ?? DEFAULT_REPORT_MS);

  return {
    async import<T>(id: string): Promise<T> {
      const { slot, expose } = parseId(slots, id);
      slot.used.add(expose);
      try {
        const installed = await ensure(slot);
        return (await loadModule(slot, installed, expose)) as T;
      } catch (error) {
        throw fail(slot, error);
      }
    },
    subscribe(alias, listener) {
      const slot = slots.get(alias);
      if (!slot) throw new ModmeshError('MODMESH_CONFIG_INVALID', `"${alias}" is not a configured remote (${[...slots.keys()].join(', ')})`);
      slot.listeners.add(listener);
      return () => slot.listeners.delete(listener);
    },
    version(alias) {
      return slots.get(alias)?.current?.version;
    },
    status() {
      const remotes: Record<string, RemoteState> = {};
      for (const slot of slots.values()) {
        remotes[slot.alias] = {
          name: slot.name,
          spec: slot.spec,
          state: slot.current ? 'ready' : slot.busy ? 'loading' : slot.lastError ? 'failed' : 'idle',
          ...(slot.current && { version: slot.current.version, since: slot.current.since }),
          ...(slot.lastError && { lastError: slot.lastError }),
        };
      }
      return { instanceId, events, remotes };
    },
    close() {
      closed = true;
      for (const slot of slots.values()) clearTimeout(slot.retryTimer);
      source?.close();
      events = 'off';
      if (reporter) clearInterval(reporter);
    },
  };
}

// --- internal ---

// `name@spec` as Node hosts read it (mesh.ts): the spec defaults to `stable`.
function slotOf(alias: string, target: string): Slot {
  const at = target.indexOf('@');
  const name = at === -1 ? target : target.slice(0, at);
  const spec = at === -1 ? 'stable' : target.slice(at + 1);
  const kind = specKindOf(spec);
  if (!REMOTE_NAME.test(name) || !spec || !kind) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', `remotes.${alias} must be "name@spec" (e.g. "auth@stable"), not ${JSON.stringify(target)}`);
  }
  return { alias, name, spec, kind, updateAgain: false, failures: 0, used: new Set(), listeners: new Set() };
}

function parseId(slots: Map<string, Slot>, id: string): { slot: Slot; expose: string } {
  const slash = id.indexOf('/');
  const slot = slash > 0 ? slots.get(id.slice(0, slash)) : undefined;
  if (!slot) throw new ModmeshError('MODMESH_CONFIG_INVALID', `"${id}" names no configured remote; ids are REMOTE/EXPOSE with REMOTE a key of options.remotes`);
  return { slot, expose: `./${id.slice(slash + 1)}` };
}

function parseEvent(text: string): { name?: unknown; tag?: unknown } | undefined {
  try {
    return JSON.parse(text) as { name?: unknown; tag?: unknown };
  } catch {
    return undefined;
  }
}

// A chunk the browser refused or could not fetch surfaces from webpack as a ChunkLoadError
// naming its URL: look at the bytes to say which.
async function codedLoadError(error: unknown, label: string, expose: string, deadlineMs: number): Promise<ModmeshError> {
  if (isModmeshError(error)) return error as ModmeshError;
  const chunk = error as { name?: string; request?: string; message?: string } | null;
  if (chunk?.name === 'ChunkLoadError' && typeof chunk.request === 'string') {
    const file = new URL(chunk.request).pathname.split('/files/').pop() ?? chunk.request;
    return diagnoseScript(chunk.request, { label, file: decodeURIComponent(file), deadlineMs });
  }
  const message = chunk?.message ?? String(error);
  const code: ErrorCode = /does not exist in container/.test(message)
    ? 'MODMESH_EXPOSE_NOT_FOUND'
    : /RUNTIME-00[56]|[Ss]ingleton|requiredVersion/.test(message)
      ? 'MODMESH_SHARED_VERSION_CONFLICT'
      : 'MODMESH_REMOTE_EVALUATION_FAILED';
  const at = label.lastIndexOf('@');
  return new ModmeshError(code, `${label}: ${expose}: ${message}`, { remote: label.slice(0, at), version: label.slice(at + 1), cause: error });
}
