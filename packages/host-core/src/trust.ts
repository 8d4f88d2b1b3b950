import type { ReleaseManifest } from '@modmesh/manifest/web';
import { isModmeshError, ModmeshError } from '@modmesh/manifest/web';
import {
  type CryptoPort,
  createTrustedSet,
  desiredRelease,
  loadTrustedRoot,
  type PersistedTrustedSet,
  restoreTrustedSet,
  runCycle,
  type Staleness,
  serializeTrustedSet,
  staleness,
  type TrustedRoot,
  type TrustedSet,
  type TrustSummary,
  trustSummary,
  verifyReleaseDocument,
  verifyRootChain,
} from '@modmesh/trust';
import { coded } from './failures.js';
import type { Offer } from './release.js';
import type { Counters, Logger } from './slot.js';

/** Where a host keeps what it verified of the registry's TUF metadata: files for Node hosts, memory for pages. */
export interface TrustStore {
  /** The root chain as kept (`chain[0]` the configured root's bytes, then each accepted rotation). */
  readRoots(): Promise<Uint8Array[]>;
  /** Replaces the kept chain (after a rotation, or when the kept one was refused). */
  writeRoots(chain: readonly Uint8Array[]): Promise<void>;
  readSet(): Promise<unknown | undefined>;
  /** Atomically: the set of one snapshot, or nothing. */
  writeSet(set: PersistedTrustedSet): Promise<void>;
  /** A release document kept earlier, by its SHA-256 and length (checked again by R1). */
  readTarget?(sha256: string, length: number): Promise<Uint8Array | undefined>;
  writeTarget?(sha256: string, bytes: Uint8Array): Promise<void>;
}

export interface TrustOptions {
  /** The root the host is configured with (its bytes, exactly as signed). */
  root: Uint8Array;
  crypto: CryptoPort;
  store: TrustStore;
  /** A metadata file at the registry, read with at most `maxBytes`; undefined on 404. */
  metadata(file: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** A target (release document) by its consistent path, at most `maxBytes`. */
  target(path: string, maxBytes: number): Promise<Uint8Array>;
  /** The registry names of the remotes the host follows. */
  remotes: readonly string[];
  log: Logger;
  counters: Counters;
  now?: () => number;
}

/** The trust a host holds: the newest verified TUF metadata, and what it offers each remote. */
export interface Trust {
  /** Resolves once boot (B1-B4) is done: the configured root checked, the kept chain and set restored, a first cycle tried. Rejects with MODMESH_ROOT_INVALID. */
  ready(): Promise<void>;
  /** One update cycle (U0-U8), one at a time; resolves with whether the trusted set changed. A failure keeps the set and is remembered. */
  refresh(reason: string): Promise<boolean>;
  /** The release `remote@spec` should run by the trusted set (U9), its document verified (R1). */
  offer(remote: string, spec: string): Promise<Offer>;
  /** Whether what `remote` depends on has expired (S), and why the last cycle failed if it did. */
  stale(remote: string): (Staleness & { cause?: ModmeshError['code'] }) | undefined;
  summary(): TrustSummary | undefined;
  /** Why the last update cycle failed, until one succeeds. */
  failure(): ModmeshError | undefined;
}

/**
 * A host's side of TUF (design 16, §2.5): the configured root, the root chain walked one
 * version at a time, timestamp, snapshot, targets and each followed remote's roles verified all
 * or nothing (`@modmesh/trust`), kept across restarts, and the release each remote should run
 * taken only from them. The registry's word is not trusted for anything: a tag moves only by a
 * statement its movers signed, a release runs only if its publishers listed and signed it, and
 * an old statement is refused however it arrives, also after a restart.
 */
export function createTrust(options: TrustOptions): Trust {
  const { crypto, store, log } = options;
  const now = options.now ?? Date.now;
  let set: TrustedSet | undefined;
  let chain: Uint8Array[] = [];
  // The version of the last root in `chain`.
  let chainVersion = 0;
  let lastFailure: ModmeshError | undefined;
  let cycling: Promise<boolean> | undefined;

  // A cycle that fails after walking to a new root keeps its set (and that set's root), so the
  // next cycle walks to the same root again: each version is kept once.
  const persistRoot = async (root: TrustedRoot): Promise<void> => {
    if (root.signed.version <= chainVersion) return;
    chain = [...chain, new TextEncoder().encode(root.text)];
    chainVersion = root.signed.version;
    await store.writeRoots(chain);
  };

  const cycle = async (reason: string): Promise<boolean> => {
    const base = set as TrustedSet;
    try {
      const result = await runCycle(base, {
        now: now(),
        remotes: options.remotes,
        crypto,
        source: { get: ({ file, maxBytes }) => options.metadata(file, maxBytes) },
        onRoot: persistRoot,
      });
      const changed = result.set.timestamp?.text !== base.timestamp?.text || result.set.root !== base.root;
      if (changed) await store.writeSet(serializeTrustedSet(result.set));
      set = result.set;
      for (const [remote, error] of Object.entries(result.unavailable)) log('warn', `${remote}: ${error.message}`, { code: error.code, remote });
      if (lastFailure) log('info', 'trust: the registry’s metadata verifies again', { after: lastFailure.code });
      lastFailure = undefined;
      return changed;
    } catch (error) {
      const failure = coded(error);
      options.counters.inc('modmesh_runtime_trust_failures_total', { code: failure.code });
      if (failure.code !== lastFailure?.code) log('warn', `trust: update failed (${reason}): ${failure.message}`, { code: failure.code, file: failure.file });
      lastFailure = failure;
      return false;
    }
  };

  const booted = (async function boot(): Promise<void> {
    const configured = await loadTrustedRoot(options.root, crypto);
    const kept = await store.readRoots().catch(() => []);
    const walked = await verifyRootChain(configured, kept.length > 0 ? kept : [options.root], crypto);
    if (walked.refused) log('warn', `trust: ${walked.refused.message}`, { code: walked.refused.code });
    chain = [options.root, ...kept.slice(1, walked.accepted + 1)];
    chainVersion = walked.root.signed.version;
    if (kept.length !== chain.length) await store.writeRoots(chain);
    const persisted = await store.readSet().catch(() => undefined);
    set = createTrustedSet(walked.root);
    if (persisted !== undefined) {
      try {
        set = (await restoreTrustedSet(persisted, walked.root, crypto)).set;
      } catch (error) {
        // The cache directory is not trusted: what does not verify is dropped, with its floor.
        log('warn', `trust: the kept metadata does not verify and was dropped: ${coded(error).message}`, { code: coded(error).code });
      }
    }
    await cycle('boot');
  })();

  return {
    ready: () => booted,
    async refresh(reason) {
      await booted;
      if (cycling) return cycling;
      cycling = cycle(reason).finally(() => {
        cycling = undefined;
      });
      return cycling;
    },
    async offer(remote, spec) {
      await booted;
      const trusted = set as TrustedSet;
      if (!trusted.timestamp) {
        throw new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', `${remote}@${spec}: no trusted metadata yet (${lastFailure?.code ?? 'not fetched'})`, {
          remote,
          cause: lastFailure,
        });
      }
      const want = desiredRelease(trusted, remote, spec);
      const document = await releaseDocument(want.remote, want.version, want.sha256, want.length);
      const manifest: ReleaseManifest = await verifyReleaseDocument(trusted, remote, want.version, document, crypto);
      return {
        name: remote,
        spec,
        version: want.version,
        ...(want.tag && {
          tag: { name: want.tag.tag, seq: want.tag.seq, kind: want.tag.rollback ? ('rollback' as const) : ('move' as const), signed: true },
        }),
        manifest,
        documentSha256: want.sha256,
        ...(lastFailure && { cached: lastFailure }),
      };
    },
    stale(remote) {
      if (!set) return undefined;
      const found = staleness(set, now(), remote);
      return found && { ...found, ...(lastFailure && { cause: lastFailure.code }) };
    },
    summary: () => set && trustSummary(set),
    failure: () => lastFailure,
  };

  // The document from what the host kept, else from the registry (then kept): R1 checks its bytes either way.
  async function releaseDocument(remote: string, version: string, sha256: string, length: number): Promise<Uint8Array> {
    const kept = await store.readTarget?.(sha256, length);
    if (kept) return kept;
    try {
      const bytes = await options.target(`${remote}/releases/${sha256}.${version}.json`, length);
      await store.writeTarget?.(sha256, bytes);
      return bytes;
    } catch (error) {
      if (isModmeshError(error)) throw error;
      throw coded(error);
    }
  }
}
