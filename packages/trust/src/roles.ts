// U6 and U7: the targets role, and the two roles of each followed remote.
import { ModmeshError } from '@modmesh/manifest/web';
import type { CryptoPort } from './crypto.js';
import { type Cycle, required } from './cycle.js';
import { checkMeta, type ReadDocument, readDocument, requireThreshold, requireUnexpired, shapeOf, trustError } from './document.js';
import { wrongKeyId } from './keys.js';
import type { MetaFile } from './schema.js';
import { type DelegatedRole, delegatedSchema, parseRoleName, type TagTarget, type TargetsSigned, targetsSchema } from './schema-targets.js';
import { checkTagStatement } from './tags.js';

/**
 * U6: `N.targets.json`, as the snapshot signed it. Refused when its length or hash differs or it
 * is another version (`META_MISMATCH`), not signed by a threshold of the root's targets keys
 * (`META_SIGNATURE`), expired (`META_EXPIRED`), or anything but the delegation pairs of each
 * remote, with keyids that are their keys' hashes (`META_INVALID`).
 */
export async function updateTargets(cycle: Cycle, bytes: Uint8Array, crypto: CryptoPort): Promise<Cycle> {
  const root = cycle.root.signed;
  const { document, meta } = await readListed(cycle, 'targets', bytes, crypto);
  await requireThreshold(document, root.keys, root.roles.targets, crypto, `targets (root v${root.version})`);
  const signed = shapeOf(document, targetsSchema);
  checkVersion(document.role, signed.version, meta);
  if (cycle.now !== undefined) requireUnexpired({ role: 'targets', signed }, cycle.now);
  const wrong = await wrongKeyId(signed.delegations?.keys ?? {}, crypto);
  if (wrong) throw trustError('MODMESH_META_INVALID', 'targets', signed.version, `delegates to key ${wrong}, which is not the SHA-256 of that key`);
  return { ...cycle, targets: Object.freeze({ ...document, signed, verifiedUnder: root.version }) };
}

/**
 * U7: `N.<remote>.releases.json` or `N.<remote>.tags.json`, as the snapshot signed it. Refused when
 * its length, hash or version differs (`META_MISMATCH`), not signed by a threshold of the keys
 * targets delegates the role to (`META_SIGNATURE`), expired (`META_EXPIRED`), listing paths
 * outside the role or delegating further (`META_INVALID`), or holding a tag state that breaks
 * T1 (`TAG_STATE_INVALID`). A remote targets does not delegate is `KEY_NOT_TRUSTED`.
 */
export async function updateRole(cycle: Cycle, role: string, bytes: Uint8Array, crypto: CryptoPort): Promise<Cycle> {
  const parsed = parseRoleName(role);
  if (!parsed) throw new ModmeshError('MODMESH_INTERNAL', `trust update cycle: ${role} is not a remote's role`);
  const targets = required(cycle.targets, 'targets');
  const delegation = delegationOf(targets.signed, role);
  const { document, meta } = await readListed(cycle, role, bytes, crypto);
  await requireThreshold(document, targets.signed.delegations?.keys ?? {}, delegation, crypto, `${role} (targets v${targets.signed.version})`);
  const signed = shapeOf(document, delegatedSchema(parsed.remote, parsed.kind));
  checkVersion(role, signed.version, meta);
  if (cycle.now !== undefined) requireUnexpired({ role, signed }, cycle.now);
  if (parsed.kind === 'tags') for (const target of Object.values(signed.targets)) checkTagStatement((target as TagTarget).custom.modmesh);
  return { ...cycle, roles: { ...cycle.roles, [role]: Object.freeze({ ...document, signed, verifiedUnder: targets.signed.version }) } };
}

/** The delegation of `role` in targets; a remote targets does not name is `MODMESH_KEY_NOT_TRUSTED`. */
export function delegationOf(targets: TargetsSigned, role: string): DelegatedRole {
  const delegation = targets.delegations?.roles.find((item) => item.name === role);
  if (delegation) return delegation;
  const remote = parseRoleName(role)?.remote ?? role;
  throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `targets v${targets.version} delegates no keys for ${remote}: nobody may publish or tag it`, {
    remote,
    file: `${targets.version}.targets.json`,
    hint: `Delegate the remote in the root of trust: \`modmesh root add-remote ${remote} --publisher KEY --mover KEY\`, then sign and push targets.`,
  });
}

/** A delegated remote whose roles the snapshot does not list yet (not adopted): only its slot fails. */
export function notListed(remote: string, role: string, snapshotVersion: number): ModmeshError {
  return new ModmeshError('MODMESH_RELEASE_NOT_LISTED', `snapshot v${snapshotVersion} lists no ${role}: ${remote} has no signed releases or tags yet`, {
    remote,
    hint: `Adopt the remote into the root of trust: \`modmesh releases adopt ${remote} --key\` and \`modmesh tags adopt ${remote} --key\`.`,
  });
}

// --- internal ---

async function readListed(cycle: Cycle, role: string, bytes: Uint8Array, crypto: CryptoPort): Promise<{ document: ReadDocument; meta: MetaFile }> {
  const snapshot = required(cycle.snapshot, 'snapshot');
  const meta = snapshot.signed.meta[`${role}.json`];
  if (!meta) throw trustError('MODMESH_META_MISMATCH', role, undefined, `is not listed by snapshot v${snapshot.signed.version}`);
  const document = await readDocument(role, bytes, crypto);
  checkMeta(document, meta, `snapshot.json v${snapshot.signed.version}`);
  return { document, meta };
}

function checkVersion(role: string, version: number, meta: MetaFile): void {
  if (version !== meta.version) throw trustError('MODMESH_META_MISMATCH', role, version, `is not v${meta.version}, which the snapshot signed`);
}
