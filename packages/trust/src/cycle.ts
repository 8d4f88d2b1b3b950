// The update cycle's state (U0–U5). A cycle starts from a trusted set and collects new documents;
// nothing in it is trusted until `commitCycle` checks the whole set. Every step returns a new
// value and never changes the one it was given, so a failed cycle leaves the old set as it was.
import { canonicalJson, ModmeshError } from '@modmesh/manifest/web';
import type { CryptoPort } from './crypto.js';
import { checkMeta, readDocument, requireThreshold, requireUnexpired, shapeOf, type TrustedDocument, trustError } from './document.js';
import { type TrustedRoot, verifyRootUpdate } from './root.js';
import { type RoleKeys, type SnapshotSigned, snapshotSchema, type TimestampSigned, timestampSchema } from './schema.js';
import type { ReleasesSigned, TargetsSigned } from './schema-targets.js';
import { parseExpires } from './text.js';

/** What a host trusts: one root, and one snapshot's timestamp, snapshot, targets and followed remotes' roles. */
export interface TrustedSet {
  readonly root: TrustedRoot;
  readonly timestamp?: TrustedDocument<TimestampSigned>;
  readonly snapshot?: TrustedDocument<SnapshotSigned>;
  readonly targets?: TrustedDocument<TargetsSigned>;
  /** By role name (`auth.releases`, `auth.tags`). */
  readonly roles: Readonly<Record<string, TrustedDocument<ReleasesSigned>>>;
}

/** A cycle in progress: a candidate set, the set it started from, and the time fixed for it (U0). */
export interface Cycle extends TrustedSet {
  readonly base: TrustedSet;
  /** Fixed for the whole cycle; undefined only while re-verifying a persisted set (no expiry checks). */
  readonly now: number | undefined;
  /** U3 dropped the trusted timestamp and snapshot because the root named other online keys. */
  readonly onlineKeysRotated: boolean;
}

/** Default `timestamp_max_lifetime` when the root does not set one: 24 h. */
export const TIMESTAMP_MAX_LIFETIME_SECONDS = 86_400;
/** Clock skew tolerated on top of the lifetime cap. */
export const TIMESTAMP_LIFETIME_SKEW_MS = 5 * 60_000;

/** A set that trusts only a root: what a host starts from when it has no persisted set. */
export function createTrustedSet(root: TrustedRoot): TrustedSet {
  return Object.freeze({ root, roles: Object.freeze({}) });
}

/** U0: a cycle from `set`, with `now` (ms) fixed for all of it. */
export function startCycle(set: TrustedSet, now: number): Cycle {
  return { ...set, base: set, now, onlineKeysRotated: false };
}

/** U1, one step: root N+1 (see `verifyRootUpdate`). Persist `cycle.root` before trying N+2. */
export async function updateRoot(cycle: Cycle, bytes: Uint8Array, crypto: CryptoPort): Promise<Cycle> {
  return { ...cycle, root: await verifyRootUpdate(cycle.root, bytes, crypto) };
}

/**
 * U2 and U3, after the root walk: an expired root is `MODMESH_ROOT_EXPIRED`; when the root now
 * names other timestamp or snapshot keys, the trusted timestamp and snapshot are dropped
 * (fast-forward recovery, TUF 5.3.11). `updateTimestamp` runs it too.
 */
export function checkRootFresh(cycle: Cycle): Cycle {
  const root = cycle.root.signed;
  if (cycle.now !== undefined && (parseExpires(root.expires) as number) <= cycle.now) {
    throw trustError('MODMESH_ROOT_EXPIRED', 'root', root.version, `expired at ${root.expires}; no metadata can be trusted until a newer root is published`);
  }
  const before = cycle.base.root.signed;
  const rotated = (['timestamp', 'snapshot'] as const).some((role) => signerOf(root.roles[role], root.keys) !== signerOf(before.roles[role], before.keys));
  if (!rotated || cycle.onlineKeysRotated) return cycle;
  return { ...cycle, timestamp: undefined, snapshot: undefined, onlineKeysRotated: true };
}

/**
 * U4: `timestamp.json`. Refused when not signed by a threshold of the root's timestamp keys
 * (`META_SIGNATURE`), older than the trusted one or naming an older snapshot (`META_ROLLBACK`),
 * expired (`META_EXPIRED`), or expiring beyond the root's lifetime cap (`META_INVALID`). An
 * equal version is no news: the trusted timestamp is kept.
 */
export async function updateTimestamp(cycle: Cycle, bytes: Uint8Array, crypto: CryptoPort): Promise<Cycle> {
  cycle = checkRootFresh(cycle);
  const root = cycle.root.signed;
  const document = await readDocument('timestamp', bytes, crypto);
  await requireThreshold(document, root.keys, root.roles.timestamp, crypto, `timestamp (root v${root.version})`);
  const signed = shapeOf(document, timestampSchema);
  const trusted = cycle.timestamp?.signed;
  if (trusted && signed.version < trusted.version)
    throw trustError('MODMESH_META_ROLLBACK', 'timestamp', signed.version, `is older than the trusted v${trusted.version}`);
  if (trusted && signed.version === trusted.version) return cycle;
  const snapshot = signed.meta['snapshot.json'].version;
  if (trusted && snapshot < trusted.meta['snapshot.json'].version) {
    throw trustError(
      'MODMESH_META_ROLLBACK',
      'timestamp',
      signed.version,
      `names snapshot v${snapshot}, older than the trusted v${trusted.meta['snapshot.json'].version}`,
    );
  }
  if (cycle.now !== undefined) {
    requireUnexpired({ role: 'timestamp', signed }, cycle.now);
    const lifetime = (root.x_modmesh?.timestamp_max_lifetime ?? TIMESTAMP_MAX_LIFETIME_SECONDS) * 1000;
    if ((parseExpires(signed.expires) as number) - cycle.now > lifetime + TIMESTAMP_LIFETIME_SKEW_MS) {
      throw trustError(
        'MODMESH_META_INVALID',
        'timestamp',
        signed.version,
        `expires at ${signed.expires}, beyond the root's lifetime cap of ${lifetime / 1000} s`,
      );
    }
  }
  return { ...cycle, timestamp: Object.freeze({ ...document, signed, verifiedUnder: root.version }) };
}

/**
 * U5: `N.snapshot.json`, as the timestamp signed it. Refused when its length or hash differs
 * (`META_MISMATCH`), not signed by a threshold of the root's snapshot keys (`META_SIGNATURE`), of
 * another version than the timestamp names (`META_MISMATCH`), dropping or lowering a role that
 * the trusted snapshot or a held document has (`META_ROLLBACK`), or expired (`META_EXPIRED`).
 */
export async function updateSnapshot(cycle: Cycle, bytes: Uint8Array, crypto: CryptoPort): Promise<Cycle> {
  const timestamp = required(cycle.timestamp, 'timestamp');
  const meta = timestamp.signed.meta['snapshot.json'];
  const root = cycle.root.signed;
  const document = await readDocument('snapshot', bytes, crypto);
  checkMeta(document, meta, `timestamp.json v${timestamp.signed.version}`);
  await requireThreshold(document, root.keys, root.roles.snapshot, crypto, `snapshot (root v${root.version})`);
  const signed = shapeOf(document, snapshotSchema);
  if (signed.version !== meta.version)
    throw trustError('MODMESH_META_MISMATCH', 'snapshot', signed.version, `is not v${meta.version}, which timestamp.json signed`);
  for (const [file, floor] of floors(cycle)) {
    const now = signed.meta[file];
    if (!now) throw trustError('MODMESH_META_ROLLBACK', 'snapshot', signed.version, `drops ${file}, which the trusted metadata lists at v${floor}`);
    if (now.version < floor)
      throw trustError('MODMESH_META_ROLLBACK', 'snapshot', signed.version, `lists ${file} at v${now.version}, older than the trusted v${floor}`);
  }
  if (cycle.now !== undefined) requireUnexpired({ role: 'snapshot', signed }, cycle.now);
  return { ...cycle, snapshot: Object.freeze({ ...document, signed, verifiedUnder: root.version }) };
}

/** A step's input that an earlier step must have provided; missing is a bug in the caller's order. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ModmeshError('MODMESH_INTERNAL', `trust update cycle: ${what} is needed before this step`);
  return value;
}

// --- internal ---

// The lowest version each role file may have: what the trusted snapshot lists, and the versions
// of the targets and roles held (signed offline, so they stay a floor even after U3).
function floors(cycle: Cycle): Map<string, number> {
  const result = new Map<string, number>();
  for (const [file, meta] of Object.entries(cycle.snapshot?.signed.meta ?? {})) result.set(file, meta.version);
  const held = [cycle.targets, ...Object.values(cycle.roles)].filter((document) => document !== undefined);
  for (const document of held) {
    const file = `${document.role}.json`;
    result.set(file, Math.max(result.get(file) ?? 0, document.signed.version));
  }
  return result;
}

function signerOf(role: RoleKeys, keys: Record<string, unknown>): string {
  return canonicalJson({ threshold: role.threshold, keys: [...role.keyids].sort().map((keyid) => [keyid, keys[keyid]]) });
}
