// The TUF 1.0.34 documents of design 16 §1.3 and §2.1, as zod/mini schemas (tree-shakable: this
// runs in browsers). Objects are loose where TUF says unknown fields are kept and signed; keys are
// strict. Every schema only shapes `signed`: signatures are checked over the raw JSON, never over
// what a schema returns.
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { parseExpires } from './text.js';

z.config(en());

/** The TUF specification version we write; we read any 1.x.y. */
export const SPEC_VERSION = '1.0.34';

const HEX64 = /^[0-9a-f]{64}$/;

export const keyidSchema = z.string().check(z.regex(HEX64, 'must be 64 lowercase hex digits (the SHA-256 of the key)'));
export const sha256Schema = z.string().check(z.regex(HEX64, 'must be 64 lowercase hex digits'));

/** A TUF Ed25519 key, with no other field: its keyid is the hex SHA-256 of its canonical JSON. */
export const tufKeySchema = z.strictObject({
  keytype: z.literal('ed25519'),
  scheme: z.literal('ed25519'),
  keyval: z.strictObject({ public: z.string().check(z.regex(HEX64, 'must be the 32-byte Ed25519 public key as 64 lowercase hex digits')) }),
});

export const keysSchema = z.record(keyidSchema, tufKeySchema);

/** Who signs a role: at least `threshold` of `keyids`, each counted once. */
export const roleKeysSchema = z.looseObject({
  keyids: z.array(keyidSchema).check(
    z.minLength(1),
    z.refine((ids) => new Set(ids).size === ids.length, 'must not list a keyid twice'),
  ),
  threshold: z.int().check(z.minimum(1)),
});

export const versionNumberSchema = z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER));
export const lengthSchema = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
export const expiresSchema = z.string().check(z.refine((text) => parseExpires(text) !== undefined, 'must be a UTC time as YYYY-MM-DDTHH:MM:SSZ'));
const specVersionSchema = z.string().check(z.regex(/^1\.\d+\.\d+$/, `must be a TUF 1.x.y version such as ${SPEC_VERSION}`));

/** What a parent signs about a child document: its version, and its length and SHA-256 when given. */
export const metaFileSchema = z.looseObject({
  version: versionNumberSchema,
  length: z.optional(lengthSchema),
  hashes: z.optional(z.looseObject({ sha256: sha256Schema })),
});

export const rootSchema = z
  .looseObject({
    _type: z.literal('root'),
    spec_version: specVersionSchema,
    version: versionNumberSchema,
    expires: expiresSchema,
    // Our layout names every file by version (N.snapshot.json, <hash>.<name>); see §1.3.
    consistent_snapshot: z.literal(true),
    keys: keysSchema,
    roles: z.looseObject({ root: roleKeysSchema, targets: roleKeysSchema, snapshot: roleKeysSchema, timestamp: roleKeysSchema }),
    x_modmesh: z.optional(
      z.looseObject({
        labels: z.optional(z.record(keyidSchema, z.string().check(z.maxLength(200)))),
        /** Seconds: a timestamp expiring further ahead than this (plus skew) is refused. */
        timestamp_max_lifetime: z.optional(z.int().check(z.minimum(60), z.maximum(366 * 86_400))),
      }),
    ),
  })
  .check(
    z.superRefine(function rolesNameKnownKeys(root, context) {
      for (const [role, keys] of Object.entries(root.roles) as [string, { keyids: string[]; threshold: number }][]) {
        checkRoleKeys(keys, root.keys, ['roles', role], context);
      }
    }),
  );

export const timestampSchema = z.looseObject({
  _type: z.literal('timestamp'),
  spec_version: specVersionSchema,
  version: versionNumberSchema,
  expires: expiresSchema,
  meta: z.strictObject({ 'snapshot.json': metaFileSchema }),
});

export const snapshotSchema = z.looseObject({
  _type: z.literal('snapshot'),
  spec_version: specVersionSchema,
  version: versionNumberSchema,
  expires: expiresSchema,
  meta: z
    .record(z.string().check(z.regex(/\.json$/, 'must be a role file name ending in .json')), metaFileSchema)
    .check(z.refine((meta) => Object.hasOwn(meta, 'targets.json'), 'must list targets.json')),
});

export type TufKey = z.infer<typeof tufKeySchema>;
export type RoleKeys = z.infer<typeof roleKeysSchema>;
export type MetaFile = z.infer<typeof metaFileSchema>;
export type RootSigned = z.infer<typeof rootSchema>;
export type TimestampSigned = z.infer<typeof timestampSchema>;
export type SnapshotSigned = z.infer<typeof snapshotSchema>;

/** A role's keyids must all be in `keys`, and its threshold reachable with them. */
export function checkRoleKeys(
  role: { keyids: string[]; threshold: number },
  keys: Record<string, unknown>,
  path: (string | number)[],
  context: { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void },
): void {
  for (const keyid of role.keyids) {
    if (!Object.hasOwn(keys, keyid)) context.addIssue({ code: 'custom', path: [...path, 'keyids'], message: `names key ${keyid}, which is not in keys` });
  }
  if (role.threshold > role.keyids.length) {
    context.addIssue({ code: 'custom', path: [...path, 'threshold'], message: `${role.threshold} is more than the ${role.keyids.length} keys listed` });
  }
}
