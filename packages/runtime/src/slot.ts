import { type ContainerInfo, type ErrorCode, isModmeshError, ModmeshError, specKindOf } from '@modmesh/manifest';
import semver from 'semver';
import { type AcquireContext, acquireFromCache, acquireFromRegistry, type VerifiedRelease } from './acquire.js';
import { runningFromState } from './cache.js';
import { BAD_RELEASE_CODES, backoffMs, VERIFICATION_CODES } from './failures.js';
import type { Federation, SharedPackage } from './federation.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { replayOf } from './replay.js';

export type SpecKind = 'version' | 'range' | 'tag';

export interface SlotStatus {
  remote: string;
  spec: string;
  state: 'loading' | 'ready' | 'failed';
  version?: string;
  source?: 'registry' | 'cache';
  since?: string;
  tagSeq?: number;
  lastError?: { code: ErrorCode; message: string };
  evaluated: readonly string[];
}

export interface SlotContext {
  acquire: AcquireContext;
  federation: Federation;
  hostShared: Record<string, SharedPackage>;
  log: Logger;
  metrics: Metrics;
  /** Told after every change of the running release. */
  onChange: () => void;
}

export interface RemoteSlot {
  readonly name: string;
  readonly spec: string;
  readonly specKind: SpecKind;
  status(): SlotStatus;
  /** Waits until a release runs, at most `deadlineMs`; MODMESH_REMOTE_UNAVAILABLE otherwise. */
  ready(deadlineMs: number): Promise<void>;
  /** An expose of the running release; loads it the first time. */
  module(expose: string): Promise<unknown>;
  /** The module objects of the running release, by expose. */
  modules(): ReadonlyMap<string, unknown>;
  /** Looks for a newer release (an event said so, or the periodic check); one update at a time. */
  update(reason: string): void;
  close(): void;
}

// A caller that finds the last attempt failed this recently gets that failure rather than
// starting another: a burst of requests must not become a burst on the registry.
const REQUEST_RETRY_FLOOR_MS = 1000;

/** One remote a host follows (`auth@stable`): what runs, how it boots, how it is replaced. */
export function createRemoteSlot(name: string, spec: string, context: SlotContext): RemoteSlot {
  const specKind: SpecKind = specKindOf(spec) ?? 'tag';
  const { log, metrics } = context;
  let release: VerifiedRelease | undefined;
  let modules = new Map<string, unknown>();
  let since: string | undefined;
  let lastError: ModmeshError | undefined;
  let lastFailureAt = 0;
  let attempts = 0;
  let booting: Promise<void> | undefined;
  let updating: Promise<void> | undefined;
  let updateAgain = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let updateFailures = 0;
  let updateRetryTimer: NodeJS.Timeout | undefined;
  let closed = false;
  // The last release refused, so the periodic check does not refuse (and log) it again and again.
  let refused: string | undefined;

  async function boot(): Promise<void> {
    attempts += 1;
    let fromRegistry: ModmeshError;
    try {
      const resolved = await context.acquire.client.resolve(name, spec);
      // The highest state verified before this start: what the registry says now is checked
      // against it by the rule the running host applies, so a restart is no way to replay.
      const highest = await context.acquire.cache.readState(name, spec);
      const replay = highest && replayOf(runningFromState(highest), resolved.version, resolved.tag);
      if (!replay) {
        await commit(await acquireFromRegistry(context.acquire, name, spec, resolved));
        return;
      }
      refused = offeredOf(resolved);
      metrics.inc('modmesh_runtime_loads_total', { remote: name, source: 'registry', result: 'MODMESH_REPLAY_REFUSED' });
      fromRegistry = new ModmeshError('MODMESH_REPLAY_REFUSED', `${replay}; booting from the cached ${name}@${highest.version} it verified`, {
        remote: name,
        version: resolved.version,
      });
      log('warn', fromRegistry.message, { code: fromRegistry.code, remote: name, version: highest.version, offered: resolved.version });
    } catch (error) {
      fromRegistry = coded(error);
      noteFailure(fromRegistry, 'boot');
    }
    let cached: VerifiedRelease | undefined;
    try {
      cached = await acquireFromCache(context.acquire, name, spec);
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
    log('warn', `${name}@${spec}: booted from the cached ${name}@${cached.version}`, {
      code: 'MODMESH_BOOTED_FROM_CACHE',
      remote: name,
      version: cached.version,
      cause: fromRegistry.code,
    });
  }

  function startBoot(): Promise<void> {
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
        if (!closed) retryTimer = setTimeout(() => void startBoot().catch(() => {}), retryInMs).unref();
        throw lastError;
      },
    );
    return booting;
  }

  // Installs `next` as the running release, only if it loads and keeps every export in use.
  async function commit(next: VerifiedRelease): Promise<void> {
    checkShared(next.container, context.hostShared, next, log);
    const previous = modules;
    const loaded = await context.federation.install(name, next, [...previous.keys()], function keepsExports(candidate) {
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
    metrics.inc('modmesh_runtime_loads_total', { remote: name, source: next.source, result: 'loaded' });
    if (next.source === 'registry') await rememberState(next.version, next.tag);
    if (from !== undefined) log('info', `${name}: swapped ${from} -> ${next.version}`, { remote: name, from, to: next.version, spec });
    else log('info', `${name}: running ${next.version}`, { remote: name, version: next.version, spec, source: next.source });
    context.onChange();
  }

  // Whether the update is to be tried again: only after a failure that is not the release's fault.
  async function updateOnce(reason: string): Promise<'done' | 'retry'> {
    if (!release) {
      await startBoot().catch(() => {});
      return 'done';
    }
    const current = release;
    const resolved = await context.acquire.client.resolve(name, spec);
    const offered = offeredOf(resolved);
    if (resolved.version === current.version) {
      // The same release at a newer move of the tag: the newer state is kept, here and on disk.
      if (resolved.tag && current.tag && resolved.tag.seq > current.tag.seq) {
        current.tag.seq = resolved.tag.seq;
        await rememberState(current.version, resolved.tag);
      }
      return 'done';
    }
    if (offered === refused) return 'done';
    // A release booted from the cache carries the highest tag state verified before the restart
    // (the cache never lowers it), so the same rule holds after a restart.
    const replay = replayOf(current, resolved.version, resolved.tag);
    if (replay) {
      refused = offered;
      metrics.inc('modmesh_runtime_swaps_total', { remote: name, result: 'MODMESH_REPLAY_REFUSED' });
      log('warn', replay, { code: 'MODMESH_REPLAY_REFUSED', remote: name, version: current.version, offered: resolved.version });
      return 'done';
    }
    if (specKind === 'range' && !semver.gt(resolved.version, current.version)) return 'done';
    const started = performance.now();
    try {
      await commit(await acquireFromRegistry(context.acquire, name, spec, resolved));
      metrics.inc('modmesh_runtime_swaps_total', { remote: name, result: 'swapped' });
      log('info', `${name}: swap took ${Math.round(performance.now() - started)} ms`, { remote: name, version: resolved.version, reason });
      return 'done';
    } catch (error) {
      const failure = coded(error);
      const badRelease = BAD_RELEASE_CODES.has(failure.code);
      if (badRelease) refused = offered;
      metrics.inc('modmesh_runtime_swaps_total', { remote: name, result: failure.code });
      noteFailure(failure, `swap to ${resolved.version}`);
      log('warn', `${name}: kept ${current.version}, refused ${resolved.version}`, {
        code: 'MODMESH_SWAP_REFUSED',
        cause: failure.code,
        error: failure.message,
        remote: name,
      });
      return badRelease ? 'done' : 'retry';
    }
  }

  // The cache keeps the highest state only: a lower one is not written (see cache.ts).
  async function rememberState(version: string, tag: { seq: number; kind: 'move' | 'rollback' } | undefined): Promise<void> {
    await context.acquire.cache.writeState({ name, spec, version, ...(tag && { seq: tag.seq, kind: tag.kind }), verifiedAt: new Date().toISOString() });
  }

  function retryUpdateLater(): void {
    if (closed) return;
    updateFailures += 1;
    clearTimeout(updateRetryTimer);
    updateRetryTimer = setTimeout(() => slot.update('retry after a failed update'), backoffMs(updateFailures)).unref();
  }

  function noteFailure(error: ModmeshError, during: string): void {
    if (VERIFICATION_CODES.has(error.code)) metrics.inc('modmesh_runtime_verification_failures_total', { remote: name, code: error.code });
    log('warn', `${name}@${spec}: ${during} failed: ${error.message}`, { code: error.code, remote: name, version: error.version, file: error.file });
  }

  void startBoot().catch(() => {});

  const slot: RemoteSlot = {
    name,
    spec,
    specKind,
    status() {
      return {
        remote: name,
        spec,
        state: release ? 'ready' : booting ? 'loading' : 'failed',
        ...(release && { version: release.version, source: release.source, since, ...(release.tag && { tagSeq: release.tag.seq }) }),
        ...(lastError && { lastError: { code: lastError.code, message: lastError.message } }),
        evaluated: release ? context.federation.evaluated(name) : [],
      };
    },
    async ready(deadlineMs) {
      if (release) return;
      const pending = booting ?? (Date.now() - lastFailureAt < REQUEST_RETRY_FLOOR_MS ? undefined : startBoot());
      if (!pending) throw unavailable(name, spec, lastError);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(unavailable(name, spec, new ModmeshError('MODMESH_REMOTE_TIMEOUT', `still loading after ${deadlineMs} ms`, { remote: name }))),
          deadlineMs,
        );
      });
      try {
        await Promise.race([pending.catch((error) => Promise.reject(unavailable(name, spec, error))), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    async module(expose) {
      if (!release) throw unavailable(name, spec, lastError);
      const known = modules.get(expose);
      if (known !== undefined) return known;
      const loaded = await context.federation.load(name, expose);
      modules.set(expose, loaded);
      return loaded;
    },
    modules: () => modules,
    update(reason) {
      if (closed) return;
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
    },
  };
  return slot;
}

// --- internal ---

// How a refused offer is remembered: the version and the tag's move.
function offeredOf(resolved: { version: string; tag?: { seq: number } | undefined }): string {
  return `${resolved.version}#${resolved.tag?.seq ?? ''}`;
}

function coded(error: unknown): ModmeshError {
  return isModmeshError(error) ? (error as ModmeshError) : new ModmeshError('MODMESH_INTERNAL', String((error as Error)?.stack ?? error), { cause: error });
}

function unavailable(name: string, spec: string, cause: unknown): ModmeshError {
  const reason = isModmeshError(cause) ? `${cause.code}: ${cause.message}` : 'not loaded yet';
  return new ModmeshError('MODMESH_REMOTE_UNAVAILABLE', `${name}@${spec} is not available: ${reason}`, { remote: name, cause });
}

function exportNames(module: unknown): string[] {
  return module && typeof module === 'object' ? Object.keys(module).filter((key) => key !== '__esModule') : [];
}

// Shared singletons the release requires in a range the host's copy does not satisfy: refused
// when the release demands strictVersion, a coded warning otherwise (Module Federation then
// uses the host's copy anyway).
function checkShared(container: ContainerInfo, hostShared: Record<string, SharedPackage>, release: VerifiedRelease, log: Logger): void {
  for (const shared of container.shared) {
    const host = hostShared[shared.name];
    if (!host || typeof shared.requiredVersion !== 'string' || semver.satisfies(host.version, shared.requiredVersion)) continue;
    const message = `${release.name}@${release.version} requires ${shared.name}@${shared.requiredVersion}; the host provides ${shared.name}@${host.version}`;
    if (shared.strictVersion) throw new ModmeshError('MODMESH_SHARED_VERSION_CONFLICT', message, { remote: release.name, version: release.version });
    log('warn', message, { code: 'MODMESH_SHARED_VERSION_CONFLICT', remote: release.name, version: release.version, package: shared.name });
  }
}
