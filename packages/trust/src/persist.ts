// B3: the trusted set as a host stores it (one file, written atomically), and its re-verification
// at boot. The cache is not trusted, so everything is checked again except expiry: an expired set
// still holds the version floors and what this host verified before.
import { ModmeshError } from '@modmesh/manifest/web';
import { type CycleResult, commitCycle } from './commit.js';
import type { CryptoPort } from './crypto.js';
import { type Cycle, createTrustedSet, type TrustedSet, updateSnapshot, updateTimestamp } from './cycle.js';
import { roleFetches } from './plan.js';
import { updateRole, updateTargets } from './roles.js';
import type { TrustedRoot } from './root.js';
import { parseRoleName } from './schema-targets.js';
import { utf8 } from './text.js';

export const TRUSTED_SET_FORMAT = 'modmesh.trusted-set/v1';

/** The stored form: each document's exact text. The root chain is stored apart (append-only). */
export interface PersistedTrustedSet {
  format: typeof TRUSTED_SET_FORMAT;
  timestamp?: string;
  snapshot?: string;
  targets?: string;
  roles: Record<string, string>;
}

export function serializeTrustedSet(set: TrustedSet): PersistedTrustedSet {
  return {
    format: TRUSTED_SET_FORMAT,
    ...(set.timestamp && { timestamp: set.timestamp.text }),
    ...(set.snapshot && { snapshot: set.snapshot.text }),
    ...(set.targets && { targets: set.targets.text }),
    roles: Object.fromEntries(Object.entries(set.roles).map(([role, document]) => [role, document.text])),
  };
}

/**
 * B3: a persisted set, re-verified under `root` (the newest root the chain reached): signatures,
 * the snapshot against the timestamp, targets and roles against the snapshot, T1 and T2; not
 * expiry. Throws a coded error when anything fails: the host then discards the set and logs it.
 */
export async function restoreTrustedSet(persisted: unknown, root: TrustedRoot, crypto: CryptoPort): Promise<CycleResult> {
  const stored = persisted as Partial<PersistedTrustedSet> | null;
  const texts = [stored?.timestamp, stored?.snapshot, stored?.targets, ...Object.values(stored?.roles ?? {})];
  if (stored?.format !== TRUSTED_SET_FORMAT || typeof stored.roles !== 'object' || texts.some((text) => text !== undefined && typeof text !== 'string')) {
    throw new ModmeshError('MODMESH_META_INVALID', `the persisted trusted set is not a ${TRUSTED_SET_FORMAT} document`);
  }
  const empty = createTrustedSet(root);
  if (stored.timestamp === undefined) return { set: empty, unavailable: {} };
  let cycle: Cycle = { ...empty, base: empty, now: undefined, onlineKeysRotated: false };
  cycle = await updateTimestamp(cycle, utf8(stored.timestamp), crypto);
  cycle = await updateSnapshot(cycle, utf8(stored.snapshot ?? ''), crypto);
  cycle = await updateTargets(cycle, utf8(stored.targets ?? ''), crypto);
  const roles = Object.entries(stored.roles as Record<string, string>);
  const remotes = [...new Set(roles.map(([role]) => parseRoleName(role)?.remote ?? role))];
  // A remote no longer delegated (or listed) under this root is left out, as a cycle would.
  const { unavailable } = roleFetches(cycle, remotes);
  for (const [role, text] of roles) {
    if (!unavailable[parseRoleName(role)?.remote ?? role]) cycle = await updateRole(cycle, role, utf8(text), crypto);
  }
  return commitCycle(cycle, remotes, crypto);
}
