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
  isSafeReleasePath,
  MANIFEST_SCHEMA,
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
  /** Where to look for the bundler besides the build directory. */
  cwd: string;
}

// `git rev-parse` answers at once or something is wrong with git; never hold a publish on it.
const GIT_TIMEOUT_MS = 5000;
const MF_MANIFEST = 'mf-manifest.json';
const MF_HINT = 'Build the remote with @module-federation/enhanced and `manifest: true`, and publish the directory that holds mf-manifest.json.';

/**
 * The (unsigned) release manifest of a build directory: every regular file with its size and
 * SHA-256, sorted by path; the container read from mf-manifest.json; and how it was built.
 * Anything in the directory that is not a regular file or directory (a symlink, a socket) is
 * refused: a release is exactly the bytes that are there.
 */
export async function buildReleaseManifest(input: ReleaseInput): Promise<ReleaseManifest> {
  const dir = path.resolve(input.cwd, input.dir);
  const files = await listFiles(dir);
  const entries: FileEntry[] = [];
  for (const file of files) entries.push({ path: file, ...(await hashFile(path.join(dir, file))) });
  const containers = await containersOf(dir, files, input.target);
  const gitCommit = await gitHead(dir);
  const build: BuildInfo = {
    bundler: input.bundler,
    bundlerVersion: bundlerVersion(input.bundler, [dir, input.cwd]),
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
      hint: 'Publish the build directory that holds remoteEntry.js and mf-manifest.json.',
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
// and `web/` each holding a container, published together as one release.
async function containersOf(dir: string, files: string[], target: ContainerInfo['target']): Promise<ContainerInfo[]> {
  if (files.includes(MF_MANIFEST)) return [containersFromMfManifest(await readMfManifest(dir, MF_MANIFEST), target)];
  const containers: ContainerInfo[] = [];
  for (const [target, targetDir] of Object.entries(RELEASE_TARGET_DIRS) as [ContainerInfo['target'], string][]) {
    const file = `${targetDir}/${MF_MANIFEST}`;
    if (files.includes(file)) containers.push(containersFromMfManifest(await readMfManifest(dir, file), target, targetDir));
  }
  if (containers.length > 0) return containers;
  throw new ModmeshError('MODMESH_REMOTE_MANIFEST_INVALID', `${dir} has no ${MF_MANIFEST}, nor node/${MF_MANIFEST} or web/${MF_MANIFEST}`, { hint: MF_HINT });
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
