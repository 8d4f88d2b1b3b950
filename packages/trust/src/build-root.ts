// Drafts of the offline documents, as `modmesh root create | rotate | add-remote | remove-key`
// write them: unsigned, version N+1 of the given one, checked against the same schemas hosts use.
import { ModmeshError } from '@modmesh/manifest/web';
import type * as z from 'zod/mini';
import type { CryptoPort } from './crypto.js';
import type { Envelope } from './document.js';
import { keyIdOf } from './keys.js';
import { type RoleKeys, type RootSigned, rootSchema, SPEC_VERSION, type TufKey } from './schema.js';
import { type RemoteRole, roleName, type TargetsSigned, targetsSchema } from './schema-targets.js';

export interface RootKeysOptions {
  /** The offline root keys, and how many of them sign a new root. @default threshold 2 */
  rootKeys: TufKey[];
  threshold?: number;
  /** The registry's online key(s), for timestamp and snapshot. */
  onlineKeys: TufKey[];
  /** @default the root keys and threshold */
  targetsKeys?: TufKey[];
  targetsThreshold?: number;
}

export interface RootDraftOptions extends RootKeysOptions {
  /** `YYYY-MM-DDTHH:MM:SSZ` */
  expires: string;
  /** Names shown by `root inspect`, by keyid. */
  labels?: Record<string, string>;
  /** Seconds; hosts refuse timestamps expiring further ahead. @default 86400 */
  timestampMaxLifetime?: number;
}

/** `root create`: root v1. */
export async function draftRoot(options: RootDraftOptions, crypto: CryptoPort): Promise<Envelope<RootSigned>> {
  const base = { _type: 'root', spec_version: SPEC_VERSION, version: 0, consistent_snapshot: true } as unknown as RootSigned;
  return rotateRoot(base, options, crypto);
}

/**
 * `root rotate`: root N+1 from N. Keys not given stay as they are; keys no role names any more
 * are dropped; unknown fields are kept. It needs signatures by a threshold of N's root keys and
 * of its own.
 */
export async function rotateRoot(
  current: RootSigned,
  changes: Partial<RootDraftOptions> & { expires: string },
  crypto: CryptoPort,
): Promise<Envelope<RootSigned>> {
  const keys: Record<string, TufKey> = { ...current.keys };
  const role = async (given: TufKey[] | undefined, threshold: number | undefined, before: RoleKeys | undefined): Promise<RoleKeys> => {
    if (!given) return { keyids: before?.keyids ?? [], threshold: threshold ?? before?.threshold ?? 1 };
    const keyids = [];
    for (const key of given) {
      const keyid = await keyIdOf(key, crypto);
      keys[keyid] = key;
      keyids.push(keyid);
    }
    return { keyids: [...new Set(keyids)], threshold: threshold ?? before?.threshold ?? 1 };
  };
  const rootRole = await role(changes.rootKeys, changes.threshold ?? (current.roles ? undefined : 2), current.roles?.root);
  const online = changes.onlineKeys;
  const roles = {
    root: rootRole,
    targets: await role(
      changes.targetsKeys ?? (current.roles ? undefined : changes.rootKeys),
      changes.targetsThreshold ?? (current.roles ? undefined : rootRole.threshold),
      current.roles?.targets,
    ),
    snapshot: await role(online, undefined, current.roles?.snapshot),
    timestamp: await role(online, undefined, current.roles?.timestamp),
  };
  const named = new Set(Object.values(roles).flatMap((item) => item.keyids));
  const extension = {
    ...current.x_modmesh,
    ...(changes.labels && { labels: changes.labels }),
    ...(changes.timestampMaxLifetime && { timestamp_max_lifetime: changes.timestampMaxLifetime }),
  };
  if (extension.labels) extension.labels = Object.fromEntries(Object.entries(extension.labels).filter(([keyid]) => named.has(keyid)));
  const signed = {
    ...current,
    version: current.version + 1,
    expires: changes.expires,
    keys: Object.fromEntries(Object.entries(keys).filter(([keyid]) => named.has(keyid))),
    roles: { ...current.roles, ...roles },
    ...(Object.keys(extension).length > 0 && { x_modmesh: extension }),
  };
  return { signed: checked(rootSchema, signed, 'root'), signatures: [] };
}

/** `root create`: targets v1, delegating nothing yet. */
export function draftTargets(expires: string): Envelope<TargetsSigned> {
  const signed = { _type: 'targets', spec_version: SPEC_VERSION, version: 1, expires, targets: {}, delegations: { keys: {}, roles: [] } };
  return { signed: checked(targetsSchema, signed, 'targets'), signatures: [] };
}

export interface AddRemoteOptions {
  remote: string;
  /** Who signs `<remote>.releases` (CI keys), and how many of them. @default threshold 1 */
  publishers: TufKey[];
  publisherThreshold?: number;
  /** Who signs `<remote>.tags`, and how many of them. @default threshold 1 */
  movers: TufKey[];
  moverThreshold?: number;
  expires: string;
}

/** `root add-remote`: targets N+1 delegating `<remote>.releases` and `<remote>.tags`. */
export async function addRemote(current: TargetsSigned, options: AddRemoteOptions, crypto: CryptoPort): Promise<Envelope<TargetsSigned>> {
  const delegations = current.delegations ?? { keys: {}, roles: [] };
  if (delegations.roles.some((role) => role.name === roleName(options.remote, 'releases'))) {
    throw new ModmeshError(
      'MODMESH_META_INVALID',
      `targets v${current.version} already delegates ${options.remote}; change its keys with remove-key and a new add-remote`,
    );
  }
  const keys = { ...delegations.keys };
  const delegate = async (kind: RemoteRole, given: TufKey[], threshold = 1) => {
    const keyids = [];
    for (const key of given) {
      const keyid = await keyIdOf(key, crypto);
      keys[keyid] = key;
      keyids.push(keyid);
    }
    return {
      name: roleName(options.remote, kind),
      keyids: [...new Set(keyids)],
      threshold,
      terminating: true as const,
      paths: [`${options.remote}/${kind}/*`],
    };
  };
  const roles = [
    ...delegations.roles,
    await delegate('releases', options.publishers, options.publisherThreshold),
    await delegate('tags', options.movers, options.moverThreshold),
  ];
  const signed = { ...current, version: current.version + 1, expires: options.expires, delegations: { ...delegations, keys, roles } };
  return { signed: checked(targetsSchema, signed, 'targets'), signatures: [] };
}

/**
 * `root remove-key`: targets N+1 without `keyid` in any delegated role (or only `remote`'s).
 * Refused (`MODMESH_META_INVALID`) when a role would be left with fewer keys than its threshold,
 * and `MODMESH_NOT_FOUND` when no role names the key. Roles the key signed must be re-signed.
 */
export function removeKey(current: TargetsSigned, keyid: string, options: { remote?: string; expires: string }): Envelope<TargetsSigned> {
  const delegations = current.delegations ?? { keys: {}, roles: [] };
  let removed = 0;
  const roles = delegations.roles.map((role) => {
    const affected = role.keyids.includes(keyid) && (!options.remote || role.name.startsWith(`${options.remote}.`));
    if (!affected) return role;
    removed += 1;
    const keyids = role.keyids.filter((item) => item !== keyid);
    if (keyids.length < role.threshold) {
      throw new ModmeshError(
        'MODMESH_META_INVALID',
        `removing key ${keyid} would leave ${role.name} with ${keyids.length} keys for its threshold of ${role.threshold}; add a key first`,
      );
    }
    return { ...role, keyids };
  });
  if (removed === 0)
    throw new ModmeshError(
      'MODMESH_NOT_FOUND',
      `no delegated role${options.remote ? ` of ${options.remote}` : ''} in targets v${current.version} names key ${keyid}`,
    );
  const named = new Set(roles.flatMap((role) => role.keyids));
  const keys = Object.fromEntries(Object.entries(delegations.keys).filter(([id]) => named.has(id)));
  const signed = { ...current, version: current.version + 1, expires: options.expires, delegations: { ...delegations, keys, roles } };
  return { signed: checked(targetsSchema, signed, 'targets'), signatures: [] };
}

// --- internal ---

// A draft must pass the schema hosts apply, so nothing is signed that hosts would refuse.
function checked<S extends z.ZodMiniType>(schema: S, signed: unknown, role: string): z.infer<S> {
  const result = schema.safeParse(signed);
  if (result.success) return signed as z.infer<S>;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ModmeshError('MODMESH_META_INVALID', `the ${role} draft is not valid: ${problems.join('; ')}`);
}
