import { backoffMs } from '@modmesh/api';
import { type ErrorCode, ModmeshError } from '@modmesh/manifest/web';
import semver from 'semver';
import { BAD_RELEASE_CODES, coded, VERIFICATION_CODES } from './failures.js';
import type { Federation } from './federation.js';
import type { CoreRelease, Offer, StateStore, TagInfo } from './release.js';
import { replayOf, runningFromState } from './replay.js';
import type { RemoteSpec } from './spec.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

/** Counters (and gauges) a host exports (Prometheus on Node); pages count nothing. */
export interface Counters {
  inc(name: string, labels: Record<string, string>): void;
  gauge?(name: string, labels: Record<string, string>, value: number): void;
}

/** What differs between a Node host and a page, as one remote's lifecycle needs it. */
export interface SlotPorts<R extends CoreRelease> {
  /** Which release `name@spec` should run: the registry's signed answer (per-remote keys), or the trusted TUF metadata's (a root). */
  resolve(name: string, spec: string): Promise<Offer>;
  /** The release an offer names, once its manifest is verified (its signature against the keys trusted for its remote, unless the trust did) and, on Node, every byte. */
  acquire(remote: RemoteSpec, offer: Offer): Promise<R>;
  /** The release the highest verified state names, from local storage only (Node's disk cache); pages have none. */
  fromCache?: ((remote: RemoteSpec) => Promise<R | undefined>) | undefined;
  states: StateStore;
  federation: Federation<R>;
  /** Versions of what the host shares, for the shared-version check. */
  hostShared: Record<string, { version: string }>;
  log: Logger;
  counters: Counters;
  /** Told after every change of the running release. */
  onChange(change: { remote: RemoteSpec; from: string | undefined; to: string }): void;
  /** Told of every failure, coded. */
  onError?(remote: RemoteSpec, error: ModmeshError): void;
  /** CPU time the process has used so far, in microseconds (Node: process.cpuUsage): a swap logs what it cost. */
  cpuTime?: () => number;
}

export interface SlotStatus {
  name: string;
  spec: string;
  state: 'idle' | 'loading' | 'ready' | 'failed';
  version?: string;
  source?: 'registry' | 'cache';
  since?: string;
  tagSeq?: number;
  lastError?: ModmeshError;
  evaluated: readonly string[];
}

export interface RemoteSlot<R extends CoreRelease> {
  readonly remote: RemoteSpec;
  status(): SlotStatus;
  /** The running release, if any. */
  release(): R | undefined;
  /** Starts the first load, unless it runs or ran. */
  boot(): void;
  /** Waits until a release runs, at most `deadlineMs`; rejects with why not (coded), or MODMESH_REMOTE_TIMEOUT. */
  ready(deadlineMs: number): Promise<void>;
  /** An expose of the running release; loads it the first time. */
  module(expose: string): Promise<unknown>;
  /** The module objects of the running release, by expose. */
  modules(): ReadonlyMap<string, unknown>;
  /** Looks for a newer release (an event said so, or the periodic check); one update at a time. */
  update(reason: string): void;
  /** Stops retries and checks; resolves once the state verified last is kept. */
  close(): Promise<void>;
}

// A caller that finds the last attempt failed this recently gets that failure rather than
// starting another: a burst of requests must not become a burst on the registry.
const REQUEST_RETRY_FLOOR_MS = 1000;

/**
 * One remote a host follows (`auth@stable`): how it boots (the registry's answer, checked
 * against the highest state verified before, else the cache), how a newer release replaces the
 * running one (verified, loaded, keeping every export in use, then swapped at once), how a
 * replayed or bad release is refused once, and how a network failure is retried with backoff.
 * Node hosts and pages run this same lifecycle through their ports.
 */
export function createRemoteSlot<R extends CoreRelease>(remote: RemoteSpec, ports: SlotPorts<R>): RemoteSlot<R> {
  const { name, spec, kind } = remote;
  const { log, counters } = ports;
  let release: R | undefined;
  let modules = new Map<string, unknown>();
  let since: string | undefined;
  let lastError: ModmeshError | undefined;
  let lastFailureAt = 0;
  let attempts = 0;
  let booted = false;
  let booting: Promise<void> | undefined;
  let updating: Promise<void> | undefined;
  let updateAgain = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let updateFailures = 0;
  let updateRetryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  // The last release refused, so that the periodic check does not refuse (and log) it again and again.
  let refused: string | undefined;
  // Writes of the verified state, one after the other (see keepState).
  let keeping: Promise<void> = Promise.resolve();

  async function boot(): Promise<void> {
    attempts += 1;
    let fromRegistry: ModmeshError;
    try {
      const answer = await ports.resolve(name, spec);
      // The highest state verified before this start: the registry's answer is checked against
      // it by the rule the running host applies, so a restart is no way to replay.
      const highest = await ports.states.read(name, spec);
      const replay = highest && replayOf(runningFromState(highest), answer.version, answer.tag);
      if (!replay) {
        await commit(await ports.acquire(remote, answer));
        if (answer.cached) bootedFromCache(answer.version, answer.cached);
        return;
      }
      refused = offeredOf(answer);
      counters.inc('modmesh_runtime_loads_total', { remote: name, source: 'registry', result: 'MODMESH_REPLAY_REFUSED' });
      fromRegistry = new ModmeshError('MODMESH_REPLAY_REFUSED', `${replay}; booting from the cached ${name}@${highest.version} it verified`, {
        remote: name,
        version: answer.version,
      });
      log('warn', fromRegistry.message, { code: fromRegistry.code, remote: name, version: highest.version, offered: answer.version });
      ports.onError?.(remote, fromRegistry);
    } catch (error) {
      fromRegistry = coded(error);
      noteFailure(fromRegistry, 'boot');
    }
    if (!ports.fromCache) throw fromRegistry;
    let cached: R | undefined;
    try {
      cached = await ports.fromCache(remote);
    } catch (error) {
      noteFailure(coded(error), 'boot from cache');
    }
    if (!cached) {
      throw new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', `${name}@${spec}: the registry gave no usable release (${fromRegistry.code}) and none is cached`, {
        remote: name,
        cause: fromRegistry,
      });
    }
    await commit(cached);
    bootedFromCache(cached.version, fromRegistry);
  }

  function bootedFromCache(version: string, cause: ModmeshError): void {
    log('warn', `${name}@${spec}: booted from the cached ${name}@${version}`, { code: 'MODMESH_BOOTED_FROM_CACHE', remote: name, version, cause: cause.code });
  }

  function startBoot(): Promise<void> {
    booted = true;
    clearTimeout(retryTimer);
    booting ??= boot().then(
      () => {
        booting = undefined;
      },
      (error: unknown) => {
        booting = undefined;
        lastError = coded(error);
        lastFailureAt = Date.now();
        const retryInMs = backoffMs(attempts);
        log('warn', `${name}@${spec}: no release runs yet; retrying`, {
          code: lastError.code,
          error: lastError.message,
          remote: name,
          attempt: attempts,
          retryInMs,
        });
        if (!closed) retryTimer = unref(setTimeout(() => void startBoot().catch(() => {}), retryInMs));
        throw lastError;
      },
    );
    return booting;
  }

  // Installs `next` as the running release, only if it loads and keeps every export in use.
  async function commit(next: R): Promise<void> {
    checkShared(next, ports.hostShared, log);
    const previous = modules;
    const loaded = await ports.federation.install(name, next, [...previous.keys()], function keepsExports(candidate) {
      for (const [expose, old] of previous) {
        const missing = exportNames(old).filter((key) => !exportNames(candidate.get(expose)).includes(key));
        if (missing.length > 0) {
          throw new ModmeshError(
            'MODMESH_SWAP_REFUSED',
            `${name}@${next.version}: ${expose} lacks ${missing.join(', ')}, which ${name}@${release?.version} has`,
            {
              remote: name,
              version: next.version,
            },
          );
        }
      }
    });
    const from = release?.version;
    release = next;
    modules = loaded;
    since = new Date().toISOString();
    lastError = undefined;
    counters.inc('modmesh_runtime_loads_total', { remote: name, source: next.source, result: 'loaded' });
    const kept = next.source === 'registry' ? keepState(next.version, next.tag) : undefined;
    if (from === undefined) log('info', `${name}: running ${next.version}`, { remote: name, version: next.version, spec, source: next.source });
    ports.onChange({ remote, from, to: next.version });
    if (from !== undefined) {
      // A swap is told once its state is on disk: a host stopped after that boots this release
      // from its cache, not the one before (a host may be stopped without close(), as a stock
      // host on SIGTERM is). The new release already answers meanwhile.
      await kept;
      log('info', `${name}: swapped ${from} -> ${next.version}`, { remote: name, from, to: next.version, spec });
    }
  }

  // The state a running release was verified at is kept on disk right after the install, not
  // before it: the next request already gets the new release. A boot does not wait for it; a
  // swap is told once it is done. Writes are chained, so they land in order; the store never
  // lowers what it keeps. The promise never rejects (a failure is noted).
  function keepState(version: string, tag: Omit<TagInfo, 'name'> | undefined): Promise<void> {
    keeping = keeping
      .then(() => rememberState(version, tag))
      .catch((error: unknown) => noteFailure(coded(error), `keeping the verified state of ${name}@${version}`));
    return keeping;
  }

  // Whether the update is to be tried again: only after a failure that is not the release's fault.
  async function updateOnce(reason: string): Promise<'done' | 'retry'> {
    if (!release) {
      await startBoot().catch(() => {});
      return 'done';
    }
    const current = release;
    const cpuAtStart = ports.cpuTime?.();
    const answer = await ports.resolve(name, spec);
    const offered = offeredOf(answer);
    if (answer.version === current.version) {
      // The same release at a newer move of the tag: the newer state is kept, here and on disk.
      if (answer.tag && current.tag && answer.tag.seq > current.tag.seq) {
        current.tag = { ...current.tag, seq: answer.tag.seq, kind: answer.tag.kind, signed: answer.tag.signed };
        void keepState(current.version, answer.tag);
      }
      return 'done';
    }
    if (offered === refused) return 'done';
    // A release booted from the cache carries the highest tag state verified before the restart
    // (the store never lowers it), so the same rule holds after a restart.
    const replay = replayOf(current, answer.version, answer.tag);
    if (replay) {
      refused = offered;
      counters.inc('modmesh_runtime_swaps_total', { remote: name, result: 'MODMESH_REPLAY_REFUSED' });
      const error = new ModmeshError('MODMESH_REPLAY_REFUSED', replay, { remote: name, version: current.version });
      log('warn', replay, { code: error.code, remote: name, version: current.version, offered: answer.version });
      ports.onError?.(remote, error);
      return 'done';
    }
    if (kind === 'range' && !semver.gt(answer.version, current.version)) return 'done';
    const started = performance.now();
    try {
      await commit(await ports.acquire(remote, answer));
      counters.inc('modmesh_runtime_swaps_total', { remote: name, result: 'swapped' });
      // CPU: of the whole update, from asking which release to run to the swap.
      const cpuMs = cpuAtStart === undefined ? undefined : ((ports.cpuTime?.() ?? cpuAtStart) - cpuAtStart) / 1000;
      log('info', `${name}: swap took ${Math.round(performance.now() - started)} ms`, {
        remote: name,
        version: answer.version,
        reason,
        ...(cpuMs !== undefined && { cpuMs }),
      });
      return 'done';
    } catch (error) {
      const failure = coded(error);
      const badRelease = BAD_RELEASE_CODES.has(failure.code);
      if (badRelease) refused = offered;
      counters.inc('modmesh_runtime_swaps_total', { remote: name, result: failure.code });
      noteFailure(failure, `swap to ${answer.version}`);
      log('warn', `${name}: kept ${current.version}, refused ${answer.version}`, {
        code: 'MODMESH_SWAP_REFUSED',
        cause: failure.code,
        error: failure.message,
        remote: name,
      });
      return badRelease ? 'done' : 'retry';
    }
  }

  // The store keeps the highest state only: a lower one is not written.
  async function rememberState(version: string, tag: Omit<TagInfo, 'name'> | undefined): Promise<void> {
    await ports.states.write({
      name,
      spec,
      version,
      ...(tag && { seq: tag.seq, kind: tag.kind, ...(tag.signed && { signed: true }) }),
      verifiedAt: new Date().toISOString(),
    });
  }

  function retryUpdateLater(): void {
    if (closed) return;
    updateFailures += 1;
    clearTimeout(updateRetryTimer);
    updateRetryTimer = unref(setTimeout(() => slot.update('retry after a failed update'), backoffMs(updateFailures)));
  }

  function noteFailure(error: ModmeshError, during: string): void {
    if (VERIFICATION_CODES.has(error.code)) counters.inc('modmesh_runtime_verification_failures_total', { remote: name, code: error.code });
    log('warn', `${name}@${spec}: ${during} failed: ${error.message}`, { code: error.code, remote: name, version: error.version, file: error.file });
    ports.onError?.(remote, error);
  }

  const slot: RemoteSlot<R> = {
    remote,
    status() {
      const evaluated = release ? ports.federation.evaluated(name) : [];
      return {
        name,
        spec,
        state: release ? 'ready' : booting ? 'loading' : lastError ? 'failed' : 'idle',
        ...(release && { version: release.version, source: release.source, since, ...(release.tag && { tagSeq: release.tag.seq }) }),
        ...(lastError && { lastError }),
        evaluated,
      } as SlotStatus;
    },
    release: () => release,
    boot() {
      if (!booted && !closed) void startBoot().catch(() => {});
    },
    async ready(deadlineMs) {
      if (release) return;
      const pending = booting ?? (Date.now() - lastFailureAt < REQUEST_RETRY_FLOOR_MS ? undefined : startBoot());
      if (!pending) throw lastError ?? notYet(name, spec);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ModmeshError('MODMESH_REMOTE_TIMEOUT', `still loading after ${deadlineMs} ms`, { remote: name })), deadlineMs);
      });
      try {
        await Promise.race([pending, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    async module(expose) {
      if (!release) throw lastError ?? notYet(name, spec);
      const known = modules.get(expose);
      if (known !== undefined) return known;
      const loaded = await ports.federation.load(name, expose);
      modules.set(expose, loaded);
      return loaded;
    },
    modules: () => modules,
    update(reason) {
      // A remote nobody asked for yet (a page loads remotes when first used) is not loaded by a check.
      if (closed || kind === 'version' || !booted) return;
      if (updating) {
        updateAgain = true;
        return;
      }
      updating = updateOnce(reason)
        .catch((error): 'done' | 'retry' => {
          const failure = coded(error);
          noteFailure(failure, `checking for a newer release (${reason})`);
          return BAD_RELEASE_CODES.has(failure.code) ? 'done' : 'retry';
        })
        .then((outcome) => {
          if (outcome === 'retry') return retryUpdateLater();
          updateFailures = 0;
          clearTimeout(updateRetryTimer);
        })
        .finally(() => {
          updating = undefined;
          if (updateAgain) {
            updateAgain = false;
            slot.update('queued');
          }
        });
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(updateRetryTimer);
      return keeping;
    },
  };
  return slot;
}

// --- internal ---

// How a refused offer is remembered: the version and the tag's move.
function offeredOf(answer: { version: string; tag?: { seq: number } | undefined }): string {
  return `${answer.version}#${answer.tag?.seq ?? ''}`;
}

function notYet(name: string, spec: string): ModmeshError {
  return new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', `${name}@${spec}: not loaded yet`, { remote: name });
}

function exportNames(module: unknown): string[] {
  return module && typeof module === 'object' ? Object.keys(module).filter((key) => key !== '__esModule') : [];
}

// Shared singletons the release requires in a range the host's copy does not satisfy: refused
// when the release demands strictVersion, a coded warning otherwise (Module Federation then uses
// the host's copy anyway).
function checkShared(release: CoreRelease, hostShared: Record<string, { version: string }>, log: Logger): void {
  for (const shared of release.container.shared) {
    const host = hostShared[shared.name];
    if (!host || typeof shared.requiredVersion !== 'string' || semver.satisfies(host.version, shared.requiredVersion)) continue;
    const message = `${release.name}@${release.version} requires ${shared.name}@${shared.requiredVersion}; the host provides ${shared.name}@${host.version}`;
    const code: ErrorCode = 'MODMESH_SHARED_VERSION_CONFLICT';
    if (shared.strictVersion) throw new ModmeshError(code, message, { remote: release.name, version: release.version });
    log('warn', message, { code, remote: release.name, version: release.version, package: shared.name });
  }
}

// A Node process must not stay alive for a retry; a page's timers have no unref.
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
