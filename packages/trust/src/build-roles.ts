// Drafts of the online-changing documents: `R.releases` +1 for a publish (or a withdrawal),
// `R.tags` +1 for a tag move or rollback (T1, T2 and T4 checked before anything is signed), and
// the snapshot and timestamp the registry signs with its online key.
import { ModmeshError } from '@modmesh/manifest/web';
import type { CryptoPort } from './crypto.js';
import type { Envelope } from './document.js';
import { type MetaFile, type SnapshotSigned, SPEC_VERSION, type TimestampSigned } from './schema.js';
import { type ReleasesSigned, releasePath, type TagState, type TagTarget, tagPath } from './schema-targets.js';
import { checkTagsUpdate, type TagsSigned } from './tags.js';
import { decodeUtf8, textViolation, toHex } from './text.js';

export interface ReleasesUpdateOptions {
  remote: string;
  /** The release published: its version and the exact bytes of its release document. */
  add?: { version: string; document: Uint8Array };
  /** Versions withdrawn (a publisher-signed yank). */
  remove?: readonly string[];
  expires: string;
}

/** `R.releases` N+1 (or v1 when there is none yet). Publishing a listed version again is `MODMESH_VERSION_EXISTS`. */
export async function buildReleasesUpdate(
  current: ReleasesSigned | undefined,
  options: ReleasesUpdateOptions,
  crypto: CryptoPort,
): Promise<Envelope<ReleasesSigned>> {
  const targets = { ...current?.targets };
  for (const version of options.remove ?? []) {
    const path = releasePath(options.remote, version);
    if (!targets[path])
      throw new ModmeshError('MODMESH_NOT_FOUND', `${options.remote}.releases v${current?.version ?? 0} does not list ${version}`, {
        remote: options.remote,
        version,
      });
    delete targets[path];
  }
  if (options.add) {
    const path = releasePath(options.remote, options.add.version);
    if (targets[path])
      throw new ModmeshError('MODMESH_VERSION_EXISTS', `${options.remote}@${options.add.version} is already listed`, {
        remote: options.remote,
        version: options.add.version,
      });
    targets[path] = { length: options.add.document.length, hashes: { sha256: toHex(await crypto.sha256(options.add.document)) } };
  }
  return { signed: { ...roleBase(current), expires: options.expires, targets } as ReleasesSigned, signatures: [] };
}

export interface TagsUpdateOptions {
  remote: string;
  tag: string;
  version: string;
  /** Must be set exactly when `version` is below the tag's current version (T1). @default false */
  rollback?: boolean;
  reason?: string;
  /** ISO time of the move. */
  movedAt: string;
  expires: string;
  /** Adoption of a tag the role does not list yet: the legacy state it continues (its seq goes on). */
  continues?: { version: string; seq: number; sha256: string };
}

/**
 * `R.tags` N+1 moving one tag to a version `releases` lists (`MODMESH_RELEASE_NOT_LISTED`
 * otherwise), with seq and previous state following the current ones. A state that breaks T1
 * (a rollback flag that does not match the versions) is `MODMESH_TAG_STATE_INVALID`, and a
 * reason that breaks the text rules is `MODMESH_META_INVALID`, before anything is signed.
 */
export function buildTagsUpdate(current: TagsSigned | undefined, releases: ReleasesSigned, options: TagsUpdateOptions): Envelope<TagsSigned> {
  const listed = releases.targets[releasePath(options.remote, options.version)];
  if (!listed) {
    throw new ModmeshError('MODMESH_RELEASE_NOT_LISTED', `${options.remote}@${options.version} is not listed by ${options.remote}.releases; publish it first`, {
      remote: options.remote,
      version: options.version,
    });
  }
  const reason = options.reason ?? '';
  const violation = textViolation(reason);
  if (violation) throw new ModmeshError('MODMESH_META_INVALID', `the reason of the tag move has a ${violation.reason}`, { remote: options.remote });
  const before = current?.targets[tagPath(options.remote, options.tag)];
  const previous = before
    ? { version: before.custom.modmesh.version, seq: before.custom.modmesh.seq, sha256: before.hashes.sha256 }
    : (options.continues ?? null);
  const state: TagState = {
    remote: options.remote,
    tag: options.tag,
    version: options.version,
    seq: (previous?.seq ?? 0) + 1,
    rollback: options.rollback ?? false,
    previous,
    movedAt: options.movedAt,
    reason,
  };
  const target: TagTarget = { length: listed.length, hashes: { sha256: listed.hashes.sha256 }, custom: { modmesh: state } };
  const signed = {
    ...roleBase(current),
    expires: options.expires,
    targets: { ...current?.targets, [tagPath(options.remote, options.tag)]: target },
  } as TagsSigned;
  checkTagsUpdate(current, signed, releases, [options.tag]);
  return { signed, signatures: [] };
}

/** The snapshot over `roles` (file name without `.json` → the stored bytes), `targets` included. */
export async function buildSnapshot(
  options: { version: number; expires: string; roles: Record<string, Uint8Array> },
  crypto: CryptoPort,
): Promise<Envelope<SnapshotSigned>> {
  const meta: Record<string, MetaFile> = {};
  for (const [role, bytes] of Object.entries(options.roles)) meta[`${role}.json`] = await metaOf(bytes, crypto);
  const signed = { _type: 'snapshot' as const, spec_version: SPEC_VERSION, version: options.version, expires: options.expires, meta };
  return { signed, signatures: [] };
}

/** The timestamp over the snapshot's stored bytes. */
export async function buildTimestamp(
  options: { version: number; expires: string; snapshot: Uint8Array },
  crypto: CryptoPort,
): Promise<Envelope<TimestampSigned>> {
  const meta = { 'snapshot.json': await metaOf(options.snapshot, crypto) };
  return { signed: { _type: 'timestamp' as const, spec_version: SPEC_VERSION, version: options.version, expires: options.expires, meta }, signatures: [] };
}

// --- internal ---

function roleBase(current: { version: number } | undefined) {
  return { ...current, _type: 'targets' as const, spec_version: SPEC_VERSION, version: (current?.version ?? 0) + 1 };
}

async function metaOf(bytes: Uint8Array, crypto: CryptoPort): Promise<MetaFile> {
  const version = (JSON.parse(decodeUtf8(bytes) ?? 'null') as { signed?: { version?: unknown } } | null)?.signed?.version;
  if (!Number.isSafeInteger(version)) throw new ModmeshError('MODMESH_META_INVALID', 'a document listed in the snapshot has no signed version');
  return { version: version as number, length: bytes.length, hashes: { sha256: toHex(await crypto.sha256(bytes)) } };
}
