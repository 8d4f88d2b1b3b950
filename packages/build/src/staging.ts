import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { RELEASE_BUILD_INFO } from '@modmesh/manifest';

// How a build reaches its release directory without ever leaving half of one: compiled into a
// staging directory beside it, then each target's directory renamed into place.

/**
 * A new empty directory beside the release (same file system, so a rename moves it into place),
 * named with this process's id; ones left by a process that died are removed.
 */
export function createStaging(outDir: string): string {
  const parent = path.dirname(outDir);
  const prefix = `.${path.basename(outDir)}.staging-`;
  mkdirSync(parent, { recursive: true });
  for (const name of readdirSync(parent)) {
    const pid = Number(name.startsWith(prefix) ? name.slice(prefix.length).split('-')[0] : Number.NaN);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  return mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
}

/**
 * Replaces `OUT_DIR/<dir>` with `FROM/<dir>` for each of `dirs`: the old one renamed out of the
 * way, the new one renamed in, the old one deleted. Both are on one file system (the staging
 * directory is beside the release), so each rename is atomic.
 */
export function moveIntoRelease(from: string, outDir: string, dirs: string[]): void {
  mkdirSync(outDir, { recursive: true });
  for (const dir of dirs) {
    const built = path.join(from, dir);
    const destination = path.join(outDir, dir);
    const old = path.join(from, `previous-${dir}`);
    if (existsSync(destination)) renameSync(destination, old);
    renameSync(built, destination);
    rmSync(old, { recursive: true, force: true });
  }
}

/** A container directory of the release: its build id (from modmesh-build.json), files and bytes. */
export function describeContainer(dir: string): { dir: string; buildId: string; files: number; bytes: number } {
  return { dir, buildId: buildIdOf(dir), ...sizeOf(dir) };
}

// --- internal ---

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function buildIdOf(dir: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(dir, RELEASE_BUILD_INFO), 'utf8')) as { buildId: string }).buildId;
  } catch {
    return '';
  }
}

function sizeOf(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(path.join(dir, name));
    if (!stat.isFile()) continue;
    files += 1;
    bytes += stat.size;
  }
  return { files, bytes };
}
