import { isModmeshError, ModmeshError, type ReleaseManifest, verifyReleaseThreshold } from '@modmesh/manifest';
import { checkTagsUpdate, type Envelope, type ReleasesSigned, releasePath, type TagsSigned, type TagTarget, type TargetsSigned, tagPath } from '@modmesh/trust';
import type { MetadataStore, NewRelease, RegistryEvent, SignedTagMove } from '../storage/types.js';
import type { TufContext } from './context.js';
import { rowOf } from './online.js';
import { changedTags, checkAdoption, checkNotTagged, checkReleasesChange } from './role-checks.js';
import type { TufChange, TufEngine } from './service.js';
import { requireNotExpired, signersOf, uploadedDocument } from './verify.js';

/** A remote's signed role update: `R.releases` N+1 and/or `R.tags` N+1, maybe with the release they list. */
export interface RoleUpload {
  remote: string;
  releases?: unknown;
  tags?: unknown;
  published?: PublishedRelease;
  /** The tag the upload must move, and where to (a publish with a tag). */
  requireMove?: { tag: string; version: string };
}

/** A release published with its `R.releases` N+1 (root mode). */
export interface PublishedRelease {
  version: string;
  /** The release document: canonical JSON of the signed envelope. */
  document: string;
  /** Once the document passed R1: the registry's own checks (every file stored and matching). */
  verify(manifest: ReleaseManifest): Promise<void>;
  record(manifest: ReleaseManifest, signers: string[]): NewRelease;
}

export interface RoleUploadResult {
  releasesVersion?: number;
  tagsVersion?: number;
  moves: SignedTagMove[];
  events: RegistryEvent[];
}

/** The result for an upload: the version of each role it carried is always there. */
export type RoleUploadResultOf<U extends RoleUpload> = RoleUploadResult &
  (U extends { releases: unknown } ? { releasesVersion: number } : unknown) &
  (U extends { tags: unknown } ? { tagsVersion: number } : unknown);

/**
 * Commits a remote's role update after everything hosts will check (the role's threshold under
 * the current delegation, its shape and tag statements) and the registry's own rules: versions
 * by compare-and-swap, R1 for every release newly listed, T2 and T4 for the tags, adoption
 * continuing the legacy state, no tagged release withdrawn. The legacy tags follow the signed ones.
 */
export async function commitRoles<U extends RoleUpload>(engine: TufEngine, metadata: MetadataStore, upload: U, actor: string): Promise<RoleUploadResultOf<U>> {
  const { remote } = upload;
  const releasesRole = `${remote}.releases`;
  const tagsRole = `${remote}.tags`;
  const releases = upload.releases === undefined ? undefined : uploadedDocument(releasesRole, upload.releases);
  const tags = upload.tags === undefined ? undefined : uploadedDocument(tagsRole, upload.tags);
  let moves: SignedTagMove[] = [];
  try {
    const events = await engine.commit(async (context) => {
      const targets = requireDelegated(context, remote);
      const [currentReleases, currentTags] = await Promise.all([context.role(releasesRole), context.role(tagsRole)]);
      const change: TufChange = { rows: [], roles: [] };
      if (releases) change.rows.push(rowOf(releasesRole, releases.bytes, releases, context.now, actor));
      if (tags) change.rows.push(rowOf(tagsRole, tags.bytes, tags, context.now, actor));
      change.roles = change.rows.map((row) => row.role);
      change.check = async function registryRules(cycle) {
        const nextReleases = releases && (cycle.roles[releasesRole]?.signed as ReleasesSigned);
        const nextTags = tags && (cycle.roles[tagsRole]?.signed as TagsSigned);
        let removed: string[] = [];
        let releaseSigners: string[] = [];
        if (releases && nextReleases) {
          requireNotExpired(releasesRole, releases.version, releases.expires, context.now);
          const checked = await checkReleases(engine, metadata, {
            remote,
            targets,
            current: currentReleases?.signed,
            next: nextReleases,
            published: upload.published,
          });
          removed = checked.removed;
          releaseSigners = await delegatedSigners(engine, targets, releasesRole, releases.envelope);
          if (upload.published && checked.manifest) change.release = upload.published.record(checked.manifest, releaseSigners);
        }
        const releasesAfter = nextReleases ?? currentReleases?.signed ?? { targets: {} };
        if (tags && nextTags) {
          requireNotExpired(tagsRole, tags.version, tags.expires, context.now);
          const named = changedTags(remote, currentTags?.signed as TagsSigned | undefined, nextTags);
          checkTagsUpdate(currentTags?.signed as TagsSigned | undefined, nextTags, releasesAfter, named);
          if (!currentTags) checkAdoption(remote, nextTags, await legacyTags(metadata, remote));
          const signers = await delegatedSigners(engine, targets, tagsRole, tags.envelope);
          moves = named.map((tag) => moveOf(nextTags, remote, tag, actor, signers, context.now));
          change.tagMoves = moves;
          const wanted = upload.requireMove;
          if (wanted && !moves.some((move) => move.tag === wanted.tag && move.to === wanted.version)) {
            throw new ModmeshError(
              'MODMESH_TAG_STATE_INVALID',
              `${tagsRole}.json v${tags.version} does not move ${wanted.tag} to ${wanted.version}, as the publish says`,
              {
                remote,
                version: wanted.version,
              },
            );
          }
        }
        checkNotTagged(remote, removed, nextTags ?? (currentTags?.signed as TagsSigned | undefined));
      };
      return change;
    }, actor);
    // Each role given was committed at the version it carries (or the commit threw).
    return { ...(releases && { releasesVersion: releases.version }), ...(tags && { tagsVersion: tags.version }), moves, events } as RoleUploadResultOf<U>;
  } catch (error) {
    // Two movers raced for the same version: the one that lost is told as for any tag move.
    if (isModmeshError(error) && error.code === 'MODMESH_META_CONFLICT' && error.file?.endsWith(`.${tagsRole}.json`)) {
      throw new ModmeshError('MODMESH_TAG_CONFLICT', error.message, { remote, file: error.file });
    }
    throw error;
  }
}

/** The delegation of a remote's two roles; a remote targets does not delegate is MODMESH_KEY_NOT_TRUSTED. */
export function requireDelegated(context: Pick<TufContext, 'targets'>, remote: string): TargetsSigned {
  const targets = context.targets?.signed;
  const names = targets?.delegations?.roles.map((role) => role.name) ?? [];
  if (!targets || !names.includes(`${remote}.releases`) || !names.includes(`${remote}.tags`)) {
    throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `the root of trust delegates no keys for ${remote}${targets ? ` (targets v${targets.version})` : ''}`, {
      remote,
      hint: `Delegate it first: \`modmesh root add-remote ${remote} --publisher KEY --mover KEY\`, then \`modmesh root sign\` and \`modmesh root push\`.`,
    });
  }
  return targets;
}

// --- internal ---

async function checkReleases(
  engine: TufEngine,
  metadata: MetadataStore,
  options: { remote: string; targets: TargetsSigned; current: ReleasesSigned | undefined; next: ReleasesSigned; published: PublishedRelease | undefined },
): Promise<{ removed: string[]; manifest?: ReleaseManifest }> {
  const { remote, targets, next, published } = options;
  const document = published && new TextEncoder().encode(published.document);
  const sha256 = document && Buffer.from(await engine.crypto.sha256(document)).toString('hex');
  const { added, removed } = checkReleasesChange(
    remote,
    options.current,
    next,
    published && document && sha256 ? { version: published.version, length: document.length, sha256 } : undefined,
  );
  const r1 = (text: string, version: string) => releaseRule(engine, targets, remote, version, text);
  let manifest: ReleaseManifest | undefined;
  if (published) {
    manifest = await r1(published.document, published.version);
    await published.verify(manifest);
    if (await metadata.getRelease(remote, published.version)) {
      throw new ModmeshError('MODMESH_VERSION_EXISTS', `${remote}@${published.version} is already published; releases are immutable`, {
        remote,
        version: published.version,
      });
    }
  }
  for (const version of added.filter((item) => item !== published?.version)) {
    const stored = await metadata.releaseDocument(remote, version);
    const listed = next.targets[releasePath(remote, version)];
    if (!stored) throw new ModmeshError('MODMESH_NOT_FOUND', `${remote}@${version} is listed but not published at this registry`, { remote, version });
    if (listed?.hashes.sha256 !== stored.sha256 || listed.length !== Buffer.byteLength(stored.document)) {
      throw new ModmeshError('MODMESH_HASH_MISMATCH', `${releasePath(remote, version)} is listed with another document than the one published`, {
        remote,
        version,
      });
    }
    await r1(stored.document, version);
  }
  return { removed, ...(manifest && { manifest }) };
}

// R1: the release document is signed by a threshold of the publisher keys targets delegates now.
async function releaseRule(engine: TufEngine, targets: TargetsSigned, remote: string, version: string, text: string): Promise<ReleaseManifest> {
  const delegation = targets.delegations?.roles.find((role) => role.name === `${remote}.releases`);
  const keys = (delegation?.keyids ?? []).map((keyid) => Buffer.from(targets.delegations?.keys[keyid]?.keyval.public ?? '', 'hex'));
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch (cause) {
    throw new ModmeshError('MODMESH_MANIFEST_INVALID', `the release document of ${remote}@${version} is not JSON`, { remote, version, cause });
  }
  return verifyReleaseThreshold(envelope, { keys, threshold: delegation?.threshold ?? 1, crypto: engine.crypto, expect: { name: remote, version } });
}

async function delegatedSigners(engine: TufEngine, targets: TargetsSigned, role: string, envelope: Envelope<unknown>): Promise<string[]> {
  const keyids = targets.delegations?.roles.find((item) => item.name === role)?.keyids ?? [];
  return signersOf(envelope, targets.delegations?.keys ?? {}, keyids, engine.crypto);
}

async function legacyTags(metadata: MetadataStore, remote: string) {
  const tags = await metadata.getTags(remote);
  return Promise.all(tags.map(async (tag) => ({ ...tag, sha256: (await metadata.releaseDocument(remote, tag.version))?.sha256 ?? '' })));
}

function moveOf(tags: TagsSigned, remote: string, tag: string, actor: string, signers: string[], now: number): SignedTagMove {
  const state = (tags.targets[tagPath(remote, tag)] as TagTarget).custom.modmesh;
  return {
    name: remote,
    tag,
    from: state.previous?.version ?? null,
    to: state.version,
    kind: state.rollback ? 'rollback' : 'move',
    actor,
    reason: state.reason,
    at: new Date(now).toISOString(),
    seq: state.seq,
    roleVersion: tags.version,
    signers,
  };
}
