import { canonicalJson, ModmeshError } from '@modmesh/manifest';
import { type ReleasesSigned, releasePath, type TagsSigned, type TagTarget, tagPath } from '@modmesh/trust';
import { metaConflict } from '../storage/documents.js';
import type { TagState } from '../storage/types.js';

// The registry's own rules for a remote's role uploads, on top of what hosts verify (design 16
// §4.1): versions by compare-and-swap, a listed release never changes, a publish adds exactly
// its release, a release a tag names is not withdrawn, adoption continues the legacy tags.

export interface ReleasesChange {
  /** Versions newly listed. */
  added: string[];
  /** Versions withdrawn (a publisher-signed yank). */
  removed: string[];
}

/**
 * `R.releases` N+1 against N: exactly the next version (MODMESH_META_CONFLICT), no listed release
 * changed (MODMESH_META_INVALID), and with a publish exactly its release added, with the
 * uploaded document's length and hash (MODMESH_META_INVALID, MODMESH_HASH_MISMATCH).
 */
export function checkReleasesChange(
  remote: string,
  current: ReleasesSigned | undefined,
  next: ReleasesSigned,
  published?: { version: string; length: number; sha256: string },
): ReleasesChange {
  const role = `${remote}.releases`;
  const expected = (current?.version ?? 0) + 1;
  if (next.version !== expected) throw metaConflict(role, next.version, expected - 1);
  const before = current?.targets ?? {};
  const removed: string[] = [];
  for (const [path, target] of Object.entries(before)) {
    const after = next.targets[path];
    if (!after) removed.push(versionOf(path));
    else if (after.length !== target.length || after.hashes.sha256 !== target.hashes.sha256) {
      throw new ModmeshError(
        'MODMESH_META_INVALID',
        `${role}.json v${next.version} lists ${path} with another document than v${current?.version}; a release never changes`,
        {
          remote,
          version: versionOf(path),
        },
      );
    }
  }
  const added = Object.keys(next.targets)
    .filter((path) => !before[path])
    .map(versionOf);
  if (published) {
    const path = releasePath(remote, published.version);
    if (added.length !== 1 || added[0] !== published.version) {
      throw new ModmeshError(
        'MODMESH_META_INVALID',
        `${role}.json v${next.version} must add exactly ${path} to publish it; it adds ${added.length === 0 ? 'nothing' : added.join(', ')}`,
        { remote, version: published.version },
      );
    }
    const listed = next.targets[path];
    if (listed?.length !== published.length || listed.hashes.sha256 !== published.sha256) {
      throw new ModmeshError(
        'MODMESH_HASH_MISMATCH',
        `${role}.json v${next.version} lists ${path} with another length or SHA-256 than the uploaded release document`,
        {
          remote,
          version: published.version,
        },
      );
    }
  }
  return { added, removed };
}

/** A release a tag points at is not withdrawn: hosts following the tag would have nothing to run. */
export function checkNotTagged(remote: string, removed: readonly string[], tags: TagsSigned | undefined): void {
  for (const target of Object.values(tags?.targets ?? {})) {
    const state = (target as TagTarget).custom.modmesh;
    if (removed.includes(state.version)) {
      throw new ModmeshError('MODMESH_TAG_STATE_INVALID', `${remote}@${state.version} cannot be withdrawn: tag ${state.tag} points at it`, {
        remote,
        version: state.version,
        hint: `Move ${state.tag} elsewhere first (\`modmesh tag set ${remote} ${state.tag} VERSION\`).`,
      });
    }
  }
}

/** The tags an `R.tags` upload changes: every entry that differs from the current one. Removing a tag is refused. */
export function changedTags(remote: string, current: TagsSigned | undefined, next: TagsSigned): string[] {
  const changed: string[] = [];
  for (const path of Object.keys(current?.targets ?? {})) {
    if (!next.targets[path]) {
      throw new ModmeshError('MODMESH_TAG_STATE_INVALID', `${remote}.tags.json v${next.version} removes ${path}; tags are moved, never removed`, { remote });
    }
  }
  for (const [path, target] of Object.entries(next.targets)) {
    const before = current?.targets[path];
    if (!before || canonicalJson(before) !== canonicalJson(target)) changed.push(path.slice(tagPath(remote, '').length));
  }
  return changed;
}

/**
 * Adoption (`R.tags` v1): every tag the registry has in legacy mode is listed, and each continues
 * its legacy state (its version, seq and release document), as `modmesh tags adopt` signs it.
 */
export function checkAdoption(remote: string, next: TagsSigned, legacy: readonly (TagState & { sha256: string })[]): void {
  for (const tag of legacy) {
    const target = next.targets[tagPath(remote, tag.tag)] as TagTarget | undefined;
    if (!target) {
      throw new ModmeshError('MODMESH_TAG_STATE_INVALID', `${remote}.tags.json v1 leaves out tag ${tag.tag}; adoption lists every tag the registry has`, {
        remote,
      });
    }
    const expected = { version: tag.version, seq: tag.seq, sha256: tag.sha256 };
    if (canonicalJson(target.custom.modmesh.previous) !== canonicalJson(expected)) {
      throw new ModmeshError(
        'MODMESH_TAG_STATE_INVALID',
        `${remote}@${tag.tag} in ${remote}.tags.json v1 names previous ${canonicalJson(target.custom.modmesh.previous)}, not the registry's current ${canonicalJson(expected)}`,
        { remote, hint: `Sign the adoption from the registry's current state (\`modmesh tags adopt ${remote}\`).` },
      );
    }
  }
  const known = new Set(legacy.map((tag) => tagPath(remote, tag.tag)));
  for (const [path, target] of Object.entries(next.targets)) {
    if (!known.has(path) && (target as TagTarget).custom.modmesh.previous !== null) {
      throw new ModmeshError('MODMESH_TAG_STATE_INVALID', `${path} is new in ${remote}.tags.json v1 but names a previous state`, { remote });
    }
  }
}

// --- internal ---

function versionOf(path: string): string {
  return path.slice(path.indexOf('/releases/') + '/releases/'.length, -'.json'.length);
}
