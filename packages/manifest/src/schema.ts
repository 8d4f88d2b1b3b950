// The one schema of release manifests, and the source of their types. Hosts and pages do not
// load it: they check manifests with its compiled form (generated/release-manifest-check.ts,
// made from this file by scripts/compile-schema.ts), which calls the same rules (rules.ts).
import { en } from 'zod/locales';
// zod's tree-shakable API: what publishes and reads manifests in Node carries less of it.
import * as z from 'zod/mini';
import { isFullVersion, isSafeReleasePath, MANIFEST_SCHEMA, REMOTE_NAME, REMOTE_NAME_RULE, referenceIssues, TAG_NAME } from './rules.js';

export {
  filesNotInRelease,
  isSafeReleasePath,
  MANIFEST_SCHEMA,
  type ManifestIssue,
  type MissingFile,
  REMOTE_NAME,
  REMOTE_NAME_RULE,
  referenceIssues,
  specKindOf,
  TAG_NAME,
} from './rules.js';

// English messages for the issues the schema does not word itself (zod/mini has none by default).
z.config(en());

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const remoteNameSchema = z.string().check(z.regex(REMOTE_NAME, `must be ${REMOTE_NAME_RULE}`));
export const versionSchema = z.string().check(z.maxLength(128), z.refine(isFullVersion, 'must be a full semantic version such as 1.2.3'));
export const tagNameSchema = z.string().check(z.regex(TAG_NAME, 'must be lowercase letters, digits and dashes, starting with a letter'));

/**
 * A path inside a release: forward slashes, relative, no `.`/`..` segments, no empty segments,
 * no backslashes or control characters. What a release names can never escape its directory.
 */
export const releasePathSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(512), z.refine(isSafeReleasePath, 'must be a relative path with forward slashes and no ".", ".." or empty segments'));

export const fileEntrySchema = z.strictObject({
  path: releasePathSchema,
  size: z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)),
  sha256: z.string().check(z.regex(SHA256_HEX, 'must be 64 lowercase hex digits')),
});

export const sharedEntrySchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(214)),
  version: z.string().check(z.maxLength(128)),
  requiredVersion: z.optional(z.union([z.string().check(z.maxLength(256)), z.literal(false)])),
  singleton: z.boolean(),
  strictVersion: z.optional(z.boolean()),
});

export const containerSchema = z.strictObject({
  /** Where the container runs: `node` hosts or browsers. */
  target: z.enum(['node', 'web']),
  /** The container's Module Federation name (its global / share-scope name). */
  name: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The entry file (`remoteEntry.js`), one of the release's files. */
  entry: releasePathSchema,
  exposes: z.array(
    z.strictObject({ name: z.string().check(z.regex(/^\.\/[\w./-]+$/, 'must start with "./"')), files: z.optional(z.array(releasePathSchema)) }),
  ),
  shared: z.array(sharedEntrySchema),
});

export const buildInfoSchema = z.strictObject({
  bundler: z.string().check(z.minLength(1), z.maxLength(64)),
  bundlerVersion: z.string().check(z.minLength(1), z.maxLength(64)),
  gitCommit: z.optional(z.string().check(z.regex(/^[0-9a-f]{7,64}$/))),
  createdAt: z.iso.datetime(),
});

/**
 * The rules across fields (referenceIssues in rules.ts) as a check of the schema. Exported so that
 * the schema compiler (scripts/compile-schema.ts) can tell it apart and call the rule by name.
 */
export const referencesCheck = z.superRefine(function checkReferences(manifest: Parameters<typeof referenceIssues>[0], context) {
  for (const issue of referenceIssues(manifest)) context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export const releaseManifestSchema = z
  .strictObject({
    schema: z.literal(MANIFEST_SCHEMA),
    name: remoteNameSchema,
    version: versionSchema,
    files: z.array(fileEntrySchema).check(z.minLength(1), z.maxLength(10_000)),
    containers: z.array(containerSchema).check(z.minLength(1), z.maxLength(8)),
    build: buildInfoSchema,
  })
  .check(referencesCheck);

export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;
export type FileEntry = z.infer<typeof fileEntrySchema>;
export type ContainerInfo = z.infer<typeof containerSchema>;
export type SharedEntry = z.infer<typeof sharedEntrySchema>;
export type BuildInfo = z.infer<typeof buildInfoSchema>;
