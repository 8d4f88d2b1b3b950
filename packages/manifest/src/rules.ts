// The rules of release manifests that are code rather than shape: names, versions, paths, and
// what the files of a release must agree on. The schema (schema.ts) checks them through zod,
// and its compiled form (generated/release-manifest-check.ts) calls these very functions, so
// hosts check the same rules without loading the schema library.
import semver from 'semver';

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

export const MANIFEST_SCHEMA = 'modmesh.release/v1';

// A spec that starts with a letter other than these can be neither a version nor a semver range
// (a range's every comparator starts with an operator, a digit, `v`, `x`, `X` or `*`): it is
// told apart without semver's range grammar, whose first use compiles large regular expressions
// on a page's or host's start-up path.
const RANGE_LETTERS = /^[vxX]/;

/**
 * What a spec after `name@` asks for: an exact version, a tag, or a semver range; undefined if
 * none. The registry resolves by this rule and hosts follow by it, so they always agree.
 */
export function specKindOf(spec: string): 'version' | 'tag' | 'range' | undefined {
  if (spec.length > 256) return undefined;
  if (/^[a-z]/.test(spec) && !RANGE_LETTERS.test(spec)) return TAG_NAME.test(spec) ? 'tag' : undefined;
  if (semver.valid(spec) === spec) return 'version';
  if (semver.validRange(spec) === null) return TAG_NAME.test(spec) ? 'tag' : undefined;
  return 'range';
}

/** True for a full semantic version written the one way semver prints it (`1.2.3`, `2.0.0-rc.1`). */
export function isFullVersion(value: string): boolean {
  return semver.valid(value) === value;
}

/** True for a path a release may contain: relative, forward slashes, no `.`, `..` or empty segments, no backslashes or control characters. */
export function isSafeReleasePath(path: string): boolean {
  if (path.length === 0 || path.length > 512) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\\\u0000-\u001f\u007f:]/.test(path)) return false;
  if (path.startsWith('/')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** A file a release's container names (its entry, an exposed module's chunk) that the release does not hold. */
export interface MissingFile {
  file: string;
  /** What names it: "entry", or "./tokenValidator's chunk". */
  what: string;
  /** Where in the manifest it is named. */
  path: (string | number)[];
}

/** The parts of a manifest the cross-field rules read. */
export interface ReferencedFiles {
  files: readonly { path: string }[];
  containers: readonly { target: string; entry: string; exposes: readonly { name: string; files?: readonly string[] | undefined }[] }[];
}

/**
 * Every file the release's containers name that is not among its files: a container loads its
 * entry, and each exposed module loads the chunks listed for it, so a release without one of
 * them is incomplete. The schema refuses such a manifest; `modmesh publish` says so first.
 */
export function filesNotInRelease(manifest: ReferencedFiles): MissingFile[] {
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

/** A problem found in a manifest: where, and what. */
export interface ManifestIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The rules across fields of a manifest whose shape is right: no path listed twice, every file a
 * container names is in the release, at most one container per target.
 */
export function referenceIssues(manifest: ReferencedFiles): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const paths = new Set<string>();
  manifest.files.forEach((file, index) => {
    if (paths.has(file.path)) issues.push({ path: ['files', index, 'path'], message: `${file.path} is listed twice` });
    paths.add(file.path);
  });
  for (const missing of filesNotInRelease(manifest)) {
    issues.push({ path: missing.path, message: `${missing.what} ${missing.file} is not one of the release's files` });
  }
  manifest.containers.forEach((container, index) => {
    const first = manifest.containers.find((other) => other.target === container.target);
    if (first !== container) issues.push({ path: ['containers', index, 'target'], message: `more than one ${container.target} container` });
  });
  return issues;
}
