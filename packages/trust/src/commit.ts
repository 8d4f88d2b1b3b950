// U8: the one gate a cycle passes to become the trusted set. Everything in the new set comes
// from one snapshot, is signed under the keys now in force, is unexpired, and does not go back
// on what the previous set said (T3, R2). Otherwise the cycle fails and the old set stays.
import type { ModmeshError } from '@modmesh/manifest/web';
import type { CryptoPort } from './crypto.js';
import { type Cycle, required, type TrustedSet } from './cycle.js';
import { requireThreshold, requireUnexpired, type TrustedDocument, trustError } from './document.js';
import { isListed, roleFetches } from './plan.js';
import { checkReleaseUnchanged, versionInPath } from './releases.js';
import { delegationOf } from './roles.js';
import type { MetaFile } from './schema.js';
import { REMOTE_ROLES, type ReleasesSigned, roleName, type TagTarget } from './schema-targets.js';
import { checkTagListing, checkTagSuccession } from './tags.js';

export interface CycleResult {
  /** The new trusted set: persist it (atomically), then hand it to the slots. */
  set: TrustedSet;
  /** Followed remotes this set cannot serve (not delegated, not adopted); the cycle still succeeded. */
  unavailable: Record<string, ModmeshError>;
}

/**
 * Checks the cycle as a whole and returns the new trusted set: the snapshot is the one the
 * timestamp signed, targets and every followed remote's roles are the ones the snapshot signed
 * (`META_MISMATCH`), documents verified under older keys are verified again under the current
 * root and targets (`META_SIGNATURE`), none has expired (`META_EXPIRED`), every tag points at the
 * release its remote lists (`TAG_STATE_INVALID`), no tag went back (`REPLAY_REFUSED`,
 * `TAG_STATE_CONFLICT`) and no listed release changed (`RELEASE_CHANGED`) against the set the
 * cycle started from.
 */
export async function commitCycle(cycle: Cycle, remotes: readonly string[], crypto: CryptoPort): Promise<CycleResult> {
  const root = cycle.root.signed;
  const timestamp = required(cycle.timestamp, 'timestamp');
  const snapshot = required(cycle.snapshot, 'snapshot');
  const targets = required(cycle.targets, 'targets');
  requireListed(snapshot, timestamp.signed.meta['snapshot.json'], 'timestamp.json');
  requireListed(targets, snapshot.signed.meta['targets.json'] as MetaFile, `snapshot.json v${snapshot.signed.version}`);
  const top = {
    timestamp: await underKeys(timestamp, root.version, () =>
      requireThreshold(timestamp, root.keys, root.roles.timestamp, crypto, `timestamp (root v${root.version})`),
    ),
    snapshot: await underKeys(snapshot, root.version, () =>
      requireThreshold(snapshot, root.keys, root.roles.snapshot, crypto, `snapshot (root v${root.version})`),
    ),
    targets: await underKeys(targets, root.version, () => requireThreshold(targets, root.keys, root.roles.targets, crypto, `targets (root v${root.version})`)),
  };
  const { unavailable } = roleFetches(cycle, remotes);
  const roles: Record<string, TrustedDocument<ReleasesSigned>> = {};
  for (const remote of new Set(remotes)) {
    if (unavailable[remote]) continue;
    for (const kind of REMOTE_ROLES) {
      const role = roleName(remote, kind);
      const document = cycle.roles[role];
      requireListed(document, snapshot.signed.meta[`${role}.json`] as MetaFile, `snapshot.json v${snapshot.signed.version}`, role);
      const delegation = delegationOf(targets.signed, role);
      const keys = targets.signed.delegations?.keys ?? {};
      roles[role] = await underKeys(document, targets.signed.version, () =>
        requireThreshold(document, keys, delegation, crypto, `${role} (targets v${targets.signed.version})`),
      );
    }
    checkTags(roles, remote);
  }
  if (cycle.now !== undefined)
    for (const document of [top.timestamp, top.snapshot, top.targets, ...Object.values(roles)]) requireUnexpired(document, cycle.now);
  checkAgainst(cycle.base, roles);
  return { set: Object.freeze({ root: cycle.root, ...top, roles: Object.freeze(roles) }), unavailable };
}

// --- internal ---

function requireListed(document: TrustedDocument<{ version: number }> | undefined, meta: MetaFile, parent: string, role?: string): asserts document {
  if (isListed(document, meta)) return;
  const name = role ?? document?.role ?? 'document';
  throw trustError('MODMESH_META_MISMATCH', name, document?.signed.version, `is not the v${meta.version} that ${parent} signed`);
}

// A document verified under an older root (or targets) is verified again under the current one:
// a key removed from a role must stop counting at once.
async function underKeys<T>(document: TrustedDocument<T>, version: number, verify: () => Promise<void>): Promise<TrustedDocument<T>> {
  if (document.verifiedUnder === version) return document;
  await verify();
  return Object.freeze({ ...document, verifiedUnder: version });
}

// T2 for every tag of the remote. A tag pointing at a release that is no longer listed (withdrawn)
// stays in the set; asking for it is `MODMESH_RELEASE_NOT_LISTED` (see desiredRelease).
function checkTags(roles: Record<string, TrustedDocument<ReleasesSigned>>, remote: string): void {
  const releases = roles[roleName(remote, 'releases')]?.signed as ReleasesSigned;
  for (const target of Object.values(roles[roleName(remote, 'tags')]?.signed.targets ?? {})) {
    try {
      checkTagListing(target as TagTarget, releases);
    } catch (error) {
      if ((error as ModmeshError).code !== 'MODMESH_RELEASE_NOT_LISTED') throw error;
    }
  }
}

// T3 and R2 against the set the cycle started from.
function checkAgainst(base: TrustedSet, roles: Record<string, TrustedDocument<ReleasesSigned>>): void {
  for (const [role, document] of Object.entries(roles)) {
    const before = base.roles[role]?.signed.targets ?? {};
    for (const [path, target] of Object.entries(document.signed.targets)) {
      const old = before[path];
      if (!old) continue;
      if (role.endsWith('.tags')) checkTagSuccession(old as TagTarget, target as TagTarget);
      else checkReleaseUnchanged({ roles }, role.slice(0, -'.releases'.length), { version: versionInPath(path), sha256: old.hashes.sha256 });
    }
  }
}
