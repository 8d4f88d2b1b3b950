import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './builds.js';

/** A small remote project as `modmesh init` makes one, in a temporary directory. */
export interface RemoteProject {
  dir: string;
  /** Rewrites src/greeting.ts so that `greet(name)` answers `${greeting} ${name}!`. */
  setGreeting(greeting: string): void;
}

/**
 * A remote exposing `./greeting` (TypeScript, with a build-time constant) for the given targets,
 * its modmesh.config.ts written from `config`; the bundlers and Module Federation come from this
 * checkout's node_modules (linked), as a project that installed them has them.
 */
export function createRemoteProject(config: Record<string, unknown> = {}): RemoteProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-project-'));
  made.add(dir);
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'greeter-project', private: true, type: 'module' }));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const full = { name: 'greeter', exposes: { './greeting': './src/greeting.ts' }, defines: { __PUNCTUATION__: '!' }, targets: ['node', 'web'], ...config };
  writeFileSync(path.join(dir, 'modmesh.config.ts'), `export default ${JSON.stringify(full, null, 2)};\n`);
  const setGreeting = (greeting: string): void =>
    writeFileSync(
      path.join(dir, 'src/greeting.ts'),
      `declare const __PUNCTUATION__: string;\nexport function greet(name: string): string {\n  return ${JSON.stringify(`${greeting} `)} + name + __PUNCTUATION__;\n}\n`,
    );
  setGreeting('hello');
  return { dir, setGreeting };
}

/** Deletes every project createRemoteProject made in this process; for `afterAll`. */
export function removeRemoteProjects(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}

// --- internal ---

const made = new Set<string>();
