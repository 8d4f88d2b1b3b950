import semver from 'semver';
import { en } from 'zod/locales';
// zod's tree-shakable API: the browser runtime verifies manifests with this schema too, and the
// full API would be most of the page's script.
import * as z from 'zod/mini';

// English messages for the issues the schema does not word itself (zod/mini has none by default).
z.config(en());

/**
 * Remote names: what npm accepts for an unscoped package name and Module Federation for a
 * container name (`node-local-remote`, `user_profile`, `billing.api`), at most 64 characters and
 * starting with a letter. Never a path separator, `@`, `..`, uppercase or anything that needs
 * escaping: a name is a URL segment at the registry and a directory name in hosts' caches.
 */
export const REMOTE_NAME = /^(?!.*\.\.)[a-z][a-z0-9._-]{0,63}$/;
/** What REMOTE_NAME allows, as error messages say it. */
export const REMOTE_NAME_RULE = "lowercase letters, digits, '-', '_' and '.' (no '..'), starting with a letter, at most 64 characters";
/** Tag names: `stable`, `canary`, any environment name; never something that parses as a version or range. */
export const TAG_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export const MANIFEST_SCHEMA = 'modmesh.release/v1';

export const remoteNameSchema = z.string().check(z.regex(REMOTE_NAME, `must be ${REMOTE_NAME_RULE}`));
export const versionSchema = z.string().check(
  z.maxLength(128),
  z.refine((value) => semver.valid(value) === value, 'must be a full semantic version such as 1.2.3'),
);
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

export const releaseManifestSchema = z
  .strictObject({
    schema: z.literal(MANIFEST_SCHEMA),
    name: remoteNameSchema,
    version: versionSchema,
    files: z.array(fileEntrySchema).check(z.minLength(1), z.maxLength(10_000)),
    containers: z.array(containerSchema).check(z.minLength(1), z.maxLength(8)),
    build: buildInfoSchema,
  })
  .check(
    z.superRefine(function checkReferences(manifest, context) {
      const paths = new Set<string>();
      manifest.files.forEach((file, index) => {
        if (paths.has(file.path)) context.addIssue({ code: 'custom', path: ['files', index, 'path'], message: `${file.path} is listed twice` });
        paths.add(file.path);
      });
      for (const missing of filesNotInRelease(manifest)) {
        context.addIssue({ code: 'custom', path: missing.path, message: `${missing.what} ${missing.file} is not one of the release's files` });
      }
      manifest.containers.forEach((container, index) => {
        const targets = manifest.containers.filter((other) => other.target === container.target);
        if (targets.length > 1 && targets[0] !== container) {
          context.addIssue({ code: 'custom', path: ['containers', index, 'target'], message: `more than one ${container.target} container` });
        }
      });
    }),
  );

export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;
export type FileEntry = z.infer<typeof fileEntrySchema>;
export type ContainerInfo = z.infer<typeof containerSchema>;
export type SharedEntry = z.infer<typeof sharedEntrySchema>;
export type BuildInfo = z.infer<typeof buildInfoSchema>;

/**
 * What a spec after `name@` asks for: an exact version, a tag, or a semver range; undefined if
 * none. The registry resolves by this rule and hosts follow by it, so they always agree.
 */
export function specKindOf(spec: string): 'version' | 'tag' | 'range' | undefined {
  if (spec.length > 256) return undefined;
  if (semver.valid(spec) === spec) return 'version';
  if (semver.validRange(spec) === null) return TAG_NAME.test(spec) ? 'tag' : undefined;
  return 'range';
}

/** A file a release's container names (its entry, an exposed module's chunk) that the release does not hold. */
export interface MissingFile {
  file: string;
  /** What names it: "entry", or "./tokenValidator's chunk". */
  what: string;
  /** Where in the manifest it is named. */
  path: (string | number)[];
}

/**
 * Every file the release's containers name that is not among its files: a container loads its
 * entry, and each exposed module loads the chunks listed for it, so a release without one of
 * them is incomplete. The schema refuses such a manifest; `modmesh publish` says so first.
 */
export function filesNotInRelease(manifest: Pick<ReleaseManifest, 'files' | 'containers'>): MissingFile[] {
  const paths = new Set(manifest.files.map((file) => file.path));
  const missing: MissingFile[] = [];
  manifest.containers.forEach((container, index) => {
    if (!paths.has(container.entry)) missing.push({ file: container.entry, what: 'entry', path: ['containers', index, 'entry'] });
    container.exposes.forEach((expose, exposeIndex) => {
      expose.files?.forEach((file, fileIndex) => {
        if (!paths.has(file)) missing.push({ file, what: `${expose.name}'s chunk`, path: ['containers', index, 'exposes', exposeIndex, 'files', fileIndex] });
      });
    });
  });
  return missing;
}

/** True for a path a release may contain (see `releasePathSchema`). */
export function isSafeReleasePath(path: string): boolean {
  if (path.length === 0 || path.length > 512) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\\\u0000-\u001f\u007f:]/.test(path)) return false;
  if (path.startsWith('/')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
