// The tag rules of design 16 §2.3, in one place for the CLI (before signing), the registry (on
// upload) and hosts (on every cycle). T1: a statement is consistent in itself. T2: it points at
// a listed release. T3: a host never goes back in a tag's history. T4: an upload changes only
// what it says it changes, each from the current state.
import { canonicalJson, ModmeshError } from '@modmesh/manifest/web';
import semver from 'semver';
import type { TrustedSet } from './cycle.js';
import { type ReleasesSigned, releasePath, type TagState, type TagTarget, tagPath } from './schema-targets.js';

/** What a host keeps of the highest state of a tag it follows (on disk, across restarts). */
export interface SeenTagState {
  seq: number;
  version: string;
  sha256: string;
}

/** Signed `targets` of an `R.tags` role. */
export type TagsSigned = ReleasesSigned & { targets: Record<string, TagTarget> };

/**
 * T1: `previous` is null exactly on creation (seq 1), else the state one seq before; `rollback`
 * is set exactly when the version goes below the previous one. `MODMESH_TAG_STATE_INVALID`.
 */
export function checkTagStatement(state: TagState): void {
  const refuse = (why: string) => tagError('MODMESH_TAG_STATE_INVALID', state, why);
  if ((state.previous === null) !== (state.seq === 1))
    throw refuse(state.seq === 1 ? 'seq 1 (a new tag) names a previous state' : `seq ${state.seq} names no previous state`);
  if (state.previous && state.previous.seq !== state.seq - 1) throw refuse(`seq ${state.seq} follows seq ${state.previous.seq}, not ${state.seq - 1}`);
  const lower = state.previous !== null && semver.lt(state.version, state.previous.version);
  if (state.rollback !== lower) {
    throw refuse(
      lower
        ? `goes down from ${state.previous?.version} without rollback: true`
        : `is marked a rollback but does not go below ${state.previous?.version ?? 'anything'}`,
    );
  }
}

/**
 * T2: the tag points at a release the same snapshot's `R.releases` lists, with the same length
 * and SHA-256. Not listed is `MODMESH_RELEASE_NOT_LISTED`; listed otherwise is `MODMESH_TAG_STATE_INVALID`.
 */
export function checkTagListing(target: TagTarget, releases: Pick<ReleasesSigned, 'targets'>): void {
  const state = target.custom.modmesh;
  const listed = releases.targets[releasePath(state.remote, state.version)];
  if (!listed) {
    throw tagError('MODMESH_RELEASE_NOT_LISTED', state, `points at ${state.remote}@${state.version}, which ${state.remote}.releases does not list`);
  }
  if (listed.length !== target.length || listed.hashes.sha256 !== target.hashes.sha256) {
    throw tagError('MODMESH_TAG_STATE_INVALID', state, `points at a release document other than the one ${state.remote}.releases lists for ${state.version}`);
  }
}

/**
 * T3: against the highest state this host saw for the tag: a lower seq is `MODMESH_REPLAY_REFUSED`;
 * the same seq with other content is `MODMESH_TAG_STATE_CONFLICT` (a mover key signed two moves).
 */
export function checkTagProgress(seen: SeenTagState, target: TagTarget): void {
  const state = target.custom.modmesh;
  if (state.seq < seen.seq) throw tagError('MODMESH_REPLAY_REFUSED', state, `is seq ${state.seq}, below seq ${seen.seq} (${seen.version}) already seen`);
  if (state.seq === seen.seq && (state.version !== seen.version || target.hashes.sha256 !== seen.sha256)) {
    throw tagError('MODMESH_TAG_STATE_CONFLICT', state, `seq ${state.seq} says ${state.version}, but seq ${seen.seq} was seen saying ${seen.version}`);
  }
}

/** T3 between two signed states of one tag: the later may not go back, and one seq is one statement. */
export function checkTagSuccession(before: TagTarget, after: TagTarget): void {
  checkTagProgress(seenStateOf(before), after);
  const state = after.custom.modmesh;
  if (state.seq === before.custom.modmesh.seq && canonicalJson(before) !== canonicalJson(after)) {
    throw tagError('MODMESH_TAG_STATE_CONFLICT', state, `seq ${state.seq} was signed twice with different content`);
  }
}

/** What a host stores for T3 after accepting a tag state. */
export function seenStateOf(target: TagTarget): SeenTagState {
  return { seq: target.custom.modmesh.seq, version: target.custom.modmesh.version, sha256: target.hashes.sha256 };
}

/**
 * T4 (the registry, on upload of `R.tags` N+1): built on the current version (else
 * `MODMESH_TAG_CONFLICT`); only the `named` tags changed, every other entry identical; each
 * changed tag passes T1 and T2 and continues the current state. `MODMESH_TAG_STATE_INVALID` otherwise.
 */
export function checkTagsUpdate(current: TagsSigned | undefined, next: TagsSigned, releases: Pick<ReleasesSigned, 'targets'>, named: readonly string[]): void {
  const expected = (current?.version ?? 0) + 1;
  if (next.version !== expected) {
    throw new ModmeshError('MODMESH_TAG_CONFLICT', `tags role v${next.version} was built on v${next.version - 1}, but the current one is v${expected - 1}`, {
      hint: 'Someone else moved a tag first: re-read the tags role, check it, and sign the move again on the current version (`modmesh tag set` does this).',
    });
  }
  const paths = new Set([...Object.keys(current?.targets ?? {}), ...Object.keys(next.targets)]);
  for (const path of paths) {
    const before = current?.targets[path];
    const after = next.targets[path];
    const tag = path.slice(path.lastIndexOf('/') + 1);
    if (!named.includes(tag)) {
      if (!before || !after || canonicalJson(before) !== canonicalJson(after)) {
        throw new ModmeshError('MODMESH_TAG_STATE_INVALID', `tags role v${next.version} changes ${path}, which the update does not name`, { file: path });
      }
      continue;
    }
    if (!after) continue; // a named tag removed
    checkTagStatement(after.custom.modmesh);
    checkTagListing(after, releases);
    checkContinues(after.custom.modmesh, before, current !== undefined);
  }
}

/** The signed state of `remote`'s `tag` in a trusted set, or undefined when the set does not list it. */
export function tagStateOf(set: TrustedSet, remote: string, tag: string): TagTarget | undefined {
  const role = set.roles[`${remote}.tags`] as { signed: TagsSigned } | undefined;
  return role?.signed.targets[tagPath(remote, tag)];
}

// --- internal ---

// A changed tag's previous state must be the current one (or none, for a tag the role does not
// have yet; when the role itself is new, adoption continues the legacy seq and the registry checks it).
function checkContinues(state: TagState, before: TagTarget | undefined, roleExists: boolean): void {
  if (!before) {
    if (roleExists && state.previous !== null) throw tagError('MODMESH_TAG_STATE_INVALID', state, 'is new in the role but names a previous state');
    return;
  }
  const current = { version: before.custom.modmesh.version, seq: before.custom.modmesh.seq, sha256: before.hashes.sha256 };
  if (canonicalJson(state.previous) !== canonicalJson(current)) {
    throw tagError('MODMESH_TAG_STATE_INVALID', state, `names previous ${canonicalJson(state.previous)}, but the current state is ${canonicalJson(current)}`);
  }
}

function tagError(
  code: 'MODMESH_TAG_STATE_INVALID' | 'MODMESH_RELEASE_NOT_LISTED' | 'MODMESH_REPLAY_REFUSED' | 'MODMESH_TAG_STATE_CONFLICT',
  state: TagState,
  why: string,
) {
  return new ModmeshError(code, `${state.remote}@${state.tag} (seq ${state.seq} → ${state.version}) ${why}`, {
    remote: state.remote,
    version: state.version,
    file: `${state.remote}.tags.json`,
  });
}
