// One whole update cycle (U0–U8) driven through a metadata source: what the host core's
// TrustUpdater runs, and what the tests and the CLI use to verify a registry's chain.
import { ModmeshError } from '@modmesh/manifest/web';
import { type CycleResult, commitCycle } from './commit.js';
import type { CryptoPort } from './crypto.js';
import { type Cycle, checkRootFresh, startCycle, type TrustedSet, updateRoot, updateSnapshot, updateTimestamp } from './cycle.js';
import { type MetadataFetch, roleFetches, rootFetch, snapshotFetch, TIMESTAMP_FETCH, targetsFetch } from './plan.js';
import { updateRole, updateTargets } from './roles.js';
import { ROOT_WALK_MAX, type TrustedRoot } from './root.js';

/** Where metadata comes from: the registry (through a port with deadlines and the cap), or a bootstrap answer. */
export interface MetadataSource {
  /** The file's bytes, read with at most `maxBytes`; undefined when it does not exist (404). */
  get(fetch: MetadataFetch): Promise<Uint8Array | undefined>;
}

export interface RunCycleOptions {
  /** Fixed for the whole cycle (U0). */
  now: number;
  /** The remotes whose roles the set must hold. */
  remotes: readonly string[];
  source: MetadataSource;
  crypto: CryptoPort;
  /** Called with each new root as soon as it is verified, before the next is tried: persist it here. */
  onRoot?(root: TrustedRoot): Promise<void> | void;
}

/**
 * Runs one cycle from `set` and returns the new set, or throws the coded error of the first
 * refusal; `set` is never changed. Roots accepted before a failure were already handed to
 * `onRoot` (a root rotation stands on its own, TUF 5.3).
 */
export async function runCycle(set: TrustedSet, options: RunCycleOptions): Promise<CycleResult & { cycle: Cycle }> {
  const { source, crypto } = options;
  let cycle = startCycle(set, options.now);
  for (let walked = 0; walked < ROOT_WALK_MAX; walked += 1) {
    const fetch = rootFetch(cycle);
    const bytes = await source.get(fetch);
    if (bytes === undefined) break;
    capped(fetch, bytes);
    cycle = await updateRoot(cycle, bytes, crypto);
    await options.onRoot?.(cycle.root);
  }
  cycle = checkRootFresh(cycle);
  cycle = await updateTimestamp(cycle, await mustGet(source, TIMESTAMP_FETCH), crypto);
  const snapshot = snapshotFetch(cycle);
  if (snapshot) cycle = await updateSnapshot(cycle, await mustGet(source, snapshot), crypto);
  const targets = targetsFetch(cycle);
  if (targets) cycle = await updateTargets(cycle, await mustGet(source, targets), crypto);
  const { fetches } = roleFetches(cycle, options.remotes);
  const fetched = await Promise.all(fetches.map((fetch) => mustGet(source, fetch)));
  for (const [index, fetch] of fetches.entries()) cycle = await updateRole(cycle, fetch.role, fetched[index] as Uint8Array, crypto);
  return { ...(await commitCycle(cycle, options.remotes, crypto)), cycle };
}

// --- internal ---

async function mustGet(source: MetadataSource, fetch: MetadataFetch): Promise<Uint8Array> {
  const bytes = await source.get(fetch);
  if (bytes === undefined)
    throw new ModmeshError('MODMESH_REMOTE_BAD_STATUS', `${fetch.file}: not found at the registry, though signed metadata names it`, { file: fetch.file });
  return capped(fetch, bytes);
}

// A source should stop reading at the cap; this catches one that did not (or an inlined answer).
function capped(fetch: MetadataFetch, bytes: Uint8Array): Uint8Array {
  if (bytes.length > fetch.maxBytes) {
    throw new ModmeshError('MODMESH_REMOTE_TOO_LARGE', `${fetch.file}: ${bytes.length} bytes, more than the ${fetch.maxBytes} allowed`, { file: fetch.file });
  }
  return bytes;
}
