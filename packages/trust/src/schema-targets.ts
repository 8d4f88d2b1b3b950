// The targets role and each remote's two delegated roles (design 16 §1.3): targets delegates,
// R.releases lists releases, R.tags lists tags with their signed state (§2.3).
import { REMOTE_NAME, TAG_NAME } from '@modmesh/manifest/web';
import semver from 'semver';
import * as z from 'zod/mini';
import { checkRoleKeys, expiresSchema, keysSchema, lengthSchema, roleKeysSchema, sha256Schema, versionNumberSchema } from './schema.js';

const specVersionSchema = z.string().check(z.regex(/^1\.\d+\.\d+$/, 'must be a TUF 1.x.y version'));

/** The two roles every delegated remote has, and the target paths each may list. */
export const REMOTE_ROLES = ['releases', 'tags'] as const;
export type RemoteRole = (typeof REMOTE_ROLES)[number];

/** Longest `reason` a tag move may carry. */
export const TAG_REASON_MAX = 500;

export const delegatedRoleSchema = z.looseObject({
  ...roleKeysSchema.def.shape,
  name: z.string(),
  terminating: z.literal(true),
  paths: z.array(z.string()),
});

export const targetsSchema = z
  .looseObject({
    _type: z.literal('targets'),
    spec_version: specVersionSchema,
    version: versionNumberSchema,
    expires: expiresSchema,
    targets: z.record(z.string(), z.unknown()).check(z.refine((targets) => Object.keys(targets).length === 0, 'must be empty: targets only delegates')),
    delegations: z.optional(z.looseObject({ keys: keysSchema, roles: z.array(delegatedRoleSchema) })),
  })
  .check(
    z.superRefine(function onlyRemotePairs(targets, context) {
      const seen = new Map<string, Set<string>>();
      targets.delegations?.roles.forEach((role, index) => {
        const path = ['delegations', 'roles', index];
        const parsed = parseRoleName(role.name);
        if (!parsed) {
          context.addIssue({ code: 'custom', path: [...path, 'name'], message: `${role.name} is not <remote>.releases or <remote>.tags` });
          return;
        }
        if (Object.hasOwn(role, 'path_hash_prefixes')) context.addIssue({ code: 'custom', path, message: 'path_hash_prefixes is not used' });
        const expected = `${parsed.remote}/${parsed.kind}/*`;
        if (role.paths.length !== 1 || role.paths[0] !== expected)
          context.addIssue({ code: 'custom', path: [...path, 'paths'], message: `must be ["${expected}"]` });
        checkRoleKeys(role, targets.delegations?.keys ?? {}, path, context);
        const kinds = seen.get(parsed.remote) ?? new Set();
        if (kinds.has(parsed.kind)) context.addIssue({ code: 'custom', path: [...path, 'name'], message: `${role.name} is delegated twice` });
        seen.set(parsed.remote, kinds.add(parsed.kind));
      });
      for (const [remote, kinds] of seen) {
        for (const kind of REMOTE_ROLES) {
          if (!kinds.has(kind)) context.addIssue({ code: 'custom', path: ['delegations', 'roles'], message: `${remote} has no ${remote}.${kind} role` });
        }
      }
    }),
  );

export const targetFileSchema = z.looseObject({
  length: lengthSchema,
  hashes: z.looseObject({ sha256: sha256Schema }),
  custom: z.optional(z.looseObject({})),
});

export const tagStateSchema = z.looseObject({
  remote: z.string().check(z.regex(REMOTE_NAME)),
  tag: z.string().check(z.regex(TAG_NAME)),
  version: z.string().check(z.refine(isVersion, 'must be a full semantic version')),
  seq: versionNumberSchema,
  rollback: z.boolean(),
  previous: z.nullable(
    z.strictObject({ version: z.string().check(z.refine(isVersion, 'must be a full semantic version')), seq: versionNumberSchema, sha256: sha256Schema }),
  ),
  movedAt: z.iso.datetime(),
  reason: z.string().check(z.maxLength(TAG_REASON_MAX)),
});

/** A delegated role's `signed`: targets only under its own paths, no further delegation. */
export function delegatedSchema(remote: string, kind: RemoteRole) {
  return z
    .looseObject({
      _type: z.literal('targets'),
      spec_version: specVersionSchema,
      version: versionNumberSchema,
      expires: expiresSchema,
      targets: z.record(
        z.string(),
        kind === 'tags' ? z.looseObject({ ...targetFileSchema.def.shape, custom: z.looseObject({ modmesh: tagStateSchema }) }) : targetFileSchema,
      ),
    })
    .check(
      z.superRefine(function pathsOfTheRole(signed, context) {
        if (Object.hasOwn(signed, 'delegations'))
          context.addIssue({ code: 'custom', path: ['delegations'], message: `${remote}.${kind} may not delegate further` });
        for (const [path, target] of Object.entries(signed.targets)) {
          const name = nameInPath(remote, kind, path);
          if (name === undefined) {
            context.addIssue({
              code: 'custom',
              path: ['targets', path],
              message: `is not ${remote}/${kind === 'releases' ? 'releases/<version>.json' : 'tags/<tag>'}`,
            });
          } else if (kind === 'tags') {
            const state = (target as { custom: { modmesh: TagState } }).custom.modmesh;
            if (state.remote !== remote || state.tag !== name) {
              context.addIssue({
                code: 'custom',
                path: ['targets', path, 'custom', 'modmesh'],
                message: `names ${state.remote}/${state.tag}, not the path's ${remote}/${name}`,
              });
            }
          }
        }
      }),
    );
}

export type DelegatedRole = z.infer<typeof delegatedRoleSchema>;
export type TargetsSigned = z.infer<typeof targetsSchema>;
export type TargetFile = z.infer<typeof targetFileSchema>;
export type TagState = z.infer<typeof tagStateSchema>;
export type ReleasesSigned = z.infer<ReturnType<typeof delegatedSchema>>;
export type TagTarget = TargetFile & { custom: { modmesh: TagState } };

/** `auth.releases` → `{ remote: 'auth', kind: 'releases' }`; undefined for any other name. */
export function parseRoleName(name: string): { remote: string; kind: RemoteRole } | undefined {
  for (const kind of REMOTE_ROLES) {
    const remote = name.endsWith(`.${kind}`) ? name.slice(0, -(kind.length + 1)) : undefined;
    if (remote !== undefined && REMOTE_NAME.test(remote)) return { remote, kind };
  }
  return undefined;
}

export function roleName(remote: string, kind: RemoteRole): string {
  return `${remote}.${kind}`;
}

/** The TUF target path of a release document: `auth/releases/1.2.0.json`. */
export function releasePath(remote: string, version: string): string {
  return `${remote}/releases/${version}.json`;
}

/** The TUF target path of a tag: `auth/tags/stable`. */
export function tagPath(remote: string, tag: string): string {
  return `${remote}/tags/${tag}`;
}

// --- internal ---

function isVersion(text: string): boolean {
  return text.length <= 128 && semver.valid(text) === text;
}

// The version or tag a path names, when it is one of the role's own paths.
function nameInPath(remote: string, kind: RemoteRole, path: string): string | undefined {
  const prefix = `${remote}/${kind}/`;
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  if (kind === 'tags') return TAG_NAME.test(rest) ? rest : undefined;
  const version = rest.endsWith('.json') ? rest.slice(0, -'.json'.length) : '';
  return isVersion(version) ? version : undefined;
}
