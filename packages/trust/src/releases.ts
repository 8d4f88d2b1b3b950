// Which release a slot should run (U9), whether a release document may be installed (R1), and
// that a listed release never changes (R2).
import { ModmeshError, type ReleaseManifest, specKindOf, verifyReleaseThreshold } from '@modmesh/manifest/web';
import semver from 'semver';
import type { CryptoPort } from './crypto.js';
import { required, type TrustedSet } from './cycle.js';
import { rawKeyOf } from './keys.js';
import { delegationOf } from './roles.js';
import { releasePath, type TagState, type TagTarget, tagPath } from './schema-targets.js';
import { checkTagListing } from './tags.js';
import { decodeUtf8, toHex } from './text.js';

/** A release as the trusted set lists it: fetch `path` with `maxBytes = length` and check `sha256`. */
export interface ListedRelease {
  remote: string;
  version: string;
  /** The TUF target path, `auth/releases/1.2.0.json`. */
  path: string;
  length: number;
  sha256: string;
  /** The signed tag state, when asked for by tag. */
  tag?: TagState;
}

/** How `remote@version` is listed by its trusted releases role, or undefined when it is not. */
export function listedRelease(set: Pick<TrustedSet, 'roles'>, remote: string, version: string): ListedRelease | undefined {
  const path = releasePath(remote, version);
  const target = set.roles[`${remote}.releases`]?.signed.targets[path];
  return target && { remote, version, path, length: target.length, sha256: target.hashes.sha256 };
}

/**
 * U9: the release a slot asking for `spec` should run. A tag: the release its signed state names
 * (unknown tag: `MODMESH_NOT_FOUND`). A version: its listing. A range: the highest listed match
 * (none: `MODMESH_RANGE_UNSATISFIED`), as the registry resolves it. A release not listed (never
 * published, withdrawn, revoked) is `MODMESH_RELEASE_NOT_LISTED`.
 */
export function desiredRelease(set: TrustedSet, remote: string, spec: string): ListedRelease {
  if (!set.roles[`${remote}.releases`]) {
    throw new ModmeshError('MODMESH_RELEASE_NOT_LISTED', `the trusted metadata holds no signed releases of ${remote}`, { remote });
  }
  const kind = specKindOf(spec);
  if (kind === 'tag') return byTag(set, remote, spec);
  if (kind === 'version') {
    const listed = listedRelease(set, remote, spec);
    if (!listed) throw new ModmeshError('MODMESH_RELEASE_NOT_LISTED', `${remote}@${spec} is not listed by ${remote}.releases`, { remote, version: spec });
    return listed;
  }
  if (kind === 'range') {
    const versions = Object.keys(set.roles[`${remote}.releases`]?.signed.targets ?? {}).map(versionInPath);
    const best = semver.maxSatisfying(versions, spec);
    if (!best) throw new ModmeshError('MODMESH_RANGE_UNSATISFIED', `no release of ${remote} listed by ${remote}.releases satisfies ${spec}`, { remote });
    return listedRelease(set, remote, best) as ListedRelease;
  }
  throw new ModmeshError('MODMESH_INVALID_SPEC', `${remote}@${spec}: not a version, a semver range or a tag`, { remote });
}

/**
 * R1: a release document may be installed only when its bytes are the ones `remote.releases`
 * lists (`MODMESH_HASH_MISMATCH`) and the envelope inside is signed by a threshold of the
 * publisher keys targets delegates now (`MODMESH_KEY_NOT_TRUSTED`, `MODMESH_SIGNATURE_INVALID`),
 * for this name and version (`MODMESH_MANIFEST_MISMATCH`). Returns the manifest.
 */
export async function verifyReleaseDocument(set: TrustedSet, remote: string, version: string, bytes: Uint8Array, crypto: CryptoPort): Promise<ReleaseManifest> {
  const listed = listedRelease(set, remote, version);
  if (!listed) throw new ModmeshError('MODMESH_RELEASE_NOT_LISTED', `${remote}@${version} is not listed by ${remote}.releases`, { remote, version });
  const subject = { remote, version, file: listed.path };
  const sha256 = bytes.length === listed.length ? toHex(await crypto.sha256(bytes)) : undefined;
  if (sha256 !== listed.sha256) {
    throw new ModmeshError(
      'MODMESH_HASH_MISMATCH',
      `${listed.path}: ${bytes.length} bytes${sha256 ? ` with SHA-256 ${sha256}` : ''}, but ${remote}.releases lists ${listed.length} bytes with SHA-256 ${listed.sha256}`,
      subject,
    );
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(decodeUtf8(bytes) ?? '');
  } catch (cause) {
    throw new ModmeshError('MODMESH_MANIFEST_INVALID', `${listed.path} is not JSON`, { ...subject, cause });
  }
  const delegation = delegationOf(required(set.targets, 'targets').signed, `${remote}.releases`);
  const keys = delegation.keyids.map((keyid) => rawKeyOf(set.targets?.signed.delegations?.keys[keyid] as never));
  return verifyReleaseThreshold(envelope, { keys, threshold: delegation.threshold, crypto, expect: { name: remote, version } });
}

/**
 * R2: `remote@version` seen with `sha256` must not be listed with another document
 * (`MODMESH_RELEASE_CHANGED`); not listed at all is a withdrawal, not a change.
 */
export function checkReleaseUnchanged(set: Pick<TrustedSet, 'roles'>, remote: string, seen: { version: string; sha256: string }): void {
  const listed = listedRelease(set, remote, seen.version);
  if (listed && listed.sha256 !== seen.sha256) {
    throw new ModmeshError('MODMESH_RELEASE_CHANGED', `${listed.path} is now listed with SHA-256 ${listed.sha256}, but was seen with ${seen.sha256}`, {
      remote,
      version: seen.version,
      file: listed.path,
    });
  }
}

/** The version a release path names: `auth/releases/1.2.0.json` → `1.2.0`. */
export function versionInPath(path: string): string {
  return path.slice(path.indexOf('/releases/') + '/releases/'.length, -'.json'.length);
}

// --- internal ---

function byTag(set: TrustedSet, remote: string, tag: string): ListedRelease {
  const target = set.roles[`${remote}.tags`]?.signed.targets[tagPath(remote, tag)] as TagTarget | undefined;
  if (!target)
    throw new ModmeshError('MODMESH_NOT_FOUND', `${remote}.tags lists no tag ${tag}`, {
      remote,
      hint: `Move the tag first: \`modmesh tag set ${remote} ${tag} VERSION\`.`,
    });
  const state = target.custom.modmesh;
  checkTagListing(target, set.roles[`${remote}.releases`]?.signed as never);
  return { ...(listedRelease(set, remote, state.version) as ListedRelease), tag: state };
}
