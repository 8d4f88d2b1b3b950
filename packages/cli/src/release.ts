import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  type BuildInfo,
  type ContainerInfo,
  containersFromMfManifest,
  type FileEntry,
  filesNotInRelease,
  isSafeReleasePath,
  MANIFEST_SCHEMA,
  type MissingFile,
  ModmeshError,
  RELEASE_TARGET_DIRS,
  type ReleaseManifest,
} from '@modmesh/manifest';

export interface ReleaseInput {
  /** The build directory: remoteEntry.js, chunks, mf-manifest.json. */
  dir: string;
  name: string;
  version: string;
  target: ContainerInfo['target'];
  bundler: string;
  /** The bundler's version, when the build recorded it. @default the one installed beside the directory */
  bundlerVersion?: string | undefined;
  /** Where to look for the bundler besides the build directory. */
  cwd: string;
  /** For a build without mf-manifest.json: its entry. @default "remoteEntry.js" */
  entry?: string | undefined;
  /** For a build without mf-manifest.json: its exposed modules (`./tokenValidator`). */
  exposes?: readonly string[];
  /** Told what the user should know about how the directory was read. */
  note?: (text: string) => void;
}

// `git rev-parse` answers at once or something is wrong with git; never hold a publish on it.
const GIT_TIMEOUT_MS = 5000;
const MF_MANIFEST = 'mf-manifest.json';
const MF_HINT = 'Publish the mf-manifest.json your build wrote, unedited; or delete it and describe the container with --entry FILE and --expose ./NAME.';
// Module Federation's default `filename`: the entry of a build that wrote no mf-manifest.json.
const DEFAULT_ENTRY = 'remoteEntry.js';
const EXPOSE_NAME = /^\.\/[\w./-]+$/;

/**
 * The (unsigned) release manifest of a build directory: every regular file with its size and
 * SHA-256, sorted by path; the container read from mf-manifest.json, or for a build that wrote
 * none (@module-federation/enhanced writes none without `output.publicPath`) from `entry` and
 * `exposes`; and how it was built. Anything in the directory that is not a regular file or
 * directory (a symlink, a socket) is refused: a release is exactly the bytes that are there.
 * A container that names a file the directory lacks is refused (MODMESH_RELEASE_INCOMPLETE).
 */
export async function buildReleaseManifest(input: ReleaseInput): Promise<ReleaseManifest> {
  const dir = path.resolve(input.cwd, input.dir);
  const files = await listFiles(dir);
  const entries: FileEntry[] = [];
  for (const file of files) entries.push({ path: file, ...(await hashFile(path.join(dir, file))) });
  const containers = await containersOf(dir, files, input);
  const missing = filesNotInRelease({ files: entries, containers });
  if (missing.length > 0) throw incomplete(dir, files, missing);
  const gitCommit = await gitHead(dir);
  const build: BuildInfo = {
    bundler: input.bundler,
    bundlerVersion: input.bundlerVersion ?? bundlerVersion(input.bundler, [dir, input.cwd]),
    ...(gitCommit && { gitCommit }),
    createdAt: new Date().toISOString(),
  };
  return { schema: MANIFEST_SCHEMA, name: input.name, version: input.version, files: entries, containers, build };
}

/** The relative paths (forward slashes, sorted) of every regular file under `dir`. */
export async function listFiles(dir: string): Promise<string[]> {
  const top = await lstat(dir).catch(() => undefined);
  if (!top?.isDirectory()) {
    throw new ModmeshError('MODMESH_USAGE', `${dir} is not a directory`, {
      hint: 'Publish the output directory of the build: the one that holds remoteEntry.js.',
    });
  }
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && isSafeReleasePath(child)) found.push(child);
      else throw unsafe(dir, child, entry.isSymbolicLink() ? 'a symbolic link' : entry.isFile() ? 'a file name a release cannot hold' : 'not a regular file');
    }
  };
  await walk('');
  if (found.length === 0) throw new ModmeshError('MODMESH_USAGE', `${dir} has no files`, { hint: 'Build the remote first.' });
  // Code-unit order, like canonical JSON: the same directory always gives the same manifest.
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// --- internal ---

function unsafe(dir: string, file: string, what: string): ModmeshError {
  return new ModmeshError('MODMESH_UNSAFE_PATH', `${path.join(dir, file)} is ${what}; a release holds regular files only`, {
    file,
    hint: 'Publish a plain build output: copy linked files in rather than linking them, and remove anything else.',
  });
}

async function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { size, sha256: hash.digest('hex') };
}

// One container in the directory itself (of `target`), or one per target directory: `node/`
// and `web/` each holding a container, published together as one release. A directory without
// any mf-manifest.json holds one container, described by the user (or by default).
async function containersOf(dir: string, files: string[], input: ReleaseInput): Promise<ContainerInfo[]> {
  const described = input.entry !== undefined || (input.exposes?.length ?? 0) > 0;
  const manifests = [MF_MANIFEST, ...Object.values(RELEASE_TARGET_DIRS).map((each) => `${each}/${MF_MANIFEST}`)].filter((file) => files.includes(file));
  if (described && manifests.length > 0) {
    throw new ModmeshError(
      'MODMESH_USAGE',
      `${path.join(dir, manifests[0] ?? MF_MANIFEST)} describes the container; --entry and --expose are for builds without one`,
      {
        hint: 'Leave out --entry and --expose: the entry and exposed modules are read from mf-manifest.json.',
      },
    );
  }
  if (files.includes(MF_MANIFEST)) return [containersFromMfManifest(await readMfManifest(dir, MF_MANIFEST), input.target)];
  const containers: ContainerInfo[] = [];
  for (const [target, targetDir] of Object.entries(RELEASE_TARGET_DIRS) as [ContainerInfo['target'], string][]) {
    const file = `${targetDir}/${MF_MANIFEST}`;
    if (files.includes(file)) containers.push(containersFromMfManifest(await readMfManifest(dir, file), target, targetDir));
  }
  if (containers.length > 0) return containers;
  return [describedContainer(dir, files, input)];
}

// What stock Module Federation needs to load a container without mf-manifest.json, it gets from
// the host's config: the entry's URL. The same here, from the command line; nothing in the build
// directory is executed to find out more. Shared packages are then not recorded in the release
// (the container still negotiates them when it runs).
function describedContainer(dir: string, files: string[], input: ReleaseInput): ContainerInfo {
  const entry = input.entry ?? DEFAULT_ENTRY;
  if (!files.includes(entry)) {
    const elsewhere = files.filter((file) => path.posix.basename(file) === entry);
    throw new ModmeshError(
      'MODMESH_RELEASE_INCOMPLETE',
      input.entry === undefined
        ? `${dir} holds neither ${MF_MANIFEST} nor ${DEFAULT_ENTRY}: it is not the output directory of a Module Federation build`
        : `${dir} has no ${entry} (--entry)`,
      {
        file: entry,
        hint:
          elsewhere.length > 0
            ? `Publish the directory that holds it: ${elsewhere.map((file) => path.join(dir, path.posix.dirname(file))).join(' or ')}.`
            : `Publish the directory your bundler wrote the container to (its output.path)${input.entry === undefined ? ', or name its entry with --entry FILE if it is not remoteEntry.js' : ''}.`,
      },
    );
  }
  const exposes = [...new Set(input.exposes ?? [])];
  for (const expose of exposes) {
    if (!EXPOSE_NAME.test(expose)) {
      throw new ModmeshError('MODMESH_USAGE', `--expose ${JSON.stringify(expose)} is not an exposed module's name`, {
        hint: "Name it as in the build's exposes, starting with ./ (for example --expose ./tokenValidator).",
      });
    }
  }
  input.note?.(
    `${dir} has no ${MF_MANIFEST} (your build writes none without output.publicPath): publishing ${entry} as the container's entry` +
      (exposes.length > 0 ? `, exposing ${exposes.join(', ')}` : '; pass --expose ./NAME for each exposed module to list them in the release') +
      '; shared packages are not recorded',
  );
  return { target: input.target, name: input.name, entry, exposes: exposes.map((name) => ({ name })), shared: [] };
}

function incomplete(dir: string, files: string[], missing: MissingFile[]): ModmeshError {
  const [first] = missing;
  // The mf-manifest.json that named it: the directory's own, or its target directory's.
  const source = (file: string): string => (files.includes(MF_MANIFEST) ? MF_MANIFEST : `${file.split('/')[0]}/${MF_MANIFEST}`);
  const named = missing.map((entry) => `${entry.file} (${entry.what})`).join(', ');
  return new ModmeshError(
    'MODMESH_RELEASE_INCOMPLETE',
    `${dir}: ${source(first?.file ?? '')} names ${named}, which ${missing.length > 1 ? 'are' : 'is'} not in the directory`,
    {
      file: first?.file,
    },
  );
}

async function readMfManifest(dir: string, file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path.join(dir, file), 'utf8'));
  } catch (cause) {
    throw new ModmeshError('MODMESH_REMOTE_MANIFEST_INVALID', `${path.join(dir, file)} is not valid JSON`, { hint: MF_HINT, cause, file });
  }
}

// The version of the bundler that built `dir`: the one installed next to it, else the one here.
function bundlerVersion(bundler: string, from: string[]): string {
  for (const base of from) {
    try {
      const file = createRequire(path.join(base, 'noop.js')).resolve(`${bundler}/package.json`);
      const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
      if (typeof version === 'string' && version.length > 0 && version.length <= 64) return version;
    } catch {}
  }
  return 'unknown';
}

function gitHead(dir: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: GIT_TIMEOUT_MS }, (error, stdout) => {
      const commit = stdout.trim();
      resolve(!error && /^[0-9a-f]{7,64}$/.test(commit) ? commit : undefined);
    });
  });
}
