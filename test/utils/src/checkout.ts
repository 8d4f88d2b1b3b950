import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './builds.js';

const run = promisify(execFile);

// Written into node_modules by Module Federation builds (generated entry files): each copy
// makes its own rather than writing through a hard link into the original's.
const WRITTEN_BY_BUILDS = ['.federation', '.cache'];

/**
 * A copy of this repository as a fresh clone of it would be: every file git tracks, plus new
 * files not yet committed (but nothing git ignores: no dist/, .modmesh/ or .env), and the
 * installed node_modules (hard-linked, so a copy costs seconds and no space). What the README
 * tells a new user to run can then run there without touching this checkout.
 */
export async function copyCheckout(dest: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  const files = stdout.split('\0').filter((file) => file && existsSync(path.join(repoRoot, file)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
    copyFileSync(path.join(repoRoot, file), path.join(dest, file));
  }
  for (const dir of installedModuleDirs(files)) {
    await run('cp', ['-al', path.join(repoRoot, dir), path.join(dest, dir)]);
    for (const written of WRITTEN_BY_BUILDS) rmSync(path.join(dest, dir, written), { recursive: true, force: true });
  }
}

// --- internal ---

// node_modules at the root and in each workspace directory that has one (npm puts a package
// there when two workspaces need different versions of it).
function installedModuleDirs(files: string[]): string[] {
  const packageDirs = new Set(files.filter((file) => path.basename(file) === 'package.json').map((file) => path.dirname(file)));
  return [...packageDirs].map((dir) => path.join(dir, 'node_modules')).filter((dir) => existsSync(path.join(repoRoot, dir)));
}
