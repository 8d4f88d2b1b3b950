// The CLI as a user installs it: `npm pack`ed, installed into an empty project offline, with
// nothing from this checkout's node_modules but the packages its dependencies name. Publishing
// must not bring the registry server (fastify, the native SQLite build); `modmesh registry ...`
// then says what to install.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, requireCompiled, runScript } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

// What only a registry needs: none of it may reach a project that installs the CLI.
const SERVER_ONLY = ['@modmesh/registry', 'fastify', 'better-sqlite3', 'pg', 'prom-client'];

describe('npm install @modmesh/cli', () => {
  let project: string;
  let closure: Map<string, string>;
  beforeAll(async () => {
    requireCompiled('packages/cli/bin/modmesh.js');
    project = await mkdtemp(path.join(os.tmpdir(), 'modmesh-cli-install-'));
    closure = dependencyClosure('@modmesh/cli');
    // A closure with the server in it fails the first test below, and is not worth installing.
    if ([...closure.keys()].some((name) => SERVER_ONLY.includes(name))) return;
    // Workspace packages as npm publishes them (packed); the others from this checkout's copies,
    // so the install needs neither the network nor a warm npm cache.
    const workspaces = [...closure.keys()].filter((name) => name.startsWith('@modmesh/'));
    const packed = JSON.parse(
      (
        await run('npm', ['pack', '--json', '--pack-destination', project, ...workspaces.flatMap((name) => ['--workspace', name])], {
          cwd: repoRoot,
        })
      ).stdout,
    ) as { filename: string }[];
    const sources = [
      ...packed.map((entry) => path.join(project, entry.filename)),
      ...[...closure].filter(([name]) => !name.startsWith('@modmesh/')).map(([, dir]) => dir),
    ];
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'uses-modmesh', version: '1.0.0', private: true }));
    const cache = path.join(project, '.npm-cache');
    await run('npm', ['install', '--offline', '--install-links', '--cache', cache, '--no-audit', '--no-fund', '--ignore-scripts', ...sources], {
      cwd: project,
    });
  }, 120_000);
  afterAll(() => rm(project, { recursive: true, force: true }));

  it('needs neither the registry server, fastify nor a native build', () => {
    expect([...closure.keys()]).toContain('@modmesh/manifest');
    expect([...closure.keys()].filter((name) => SERVER_ONLY.includes(name))).toEqual([]);
    for (const name of SERVER_ONLY) expect(existsSync(path.join(project, 'node_modules', name)), name).toBe(false);
    const peer = JSON.parse(readFileSync(path.join(project, 'node_modules/@modmesh/cli/package.json'), 'utf8'));
    expect(peer.peerDependenciesMeta['@modmesh/registry']).toEqual({ optional: true });
  });

  it('runs its other commands, and `modmesh registry ...` says what to install', async () => {
    const modmesh = path.join(project, 'node_modules/@modmesh/cli/bin/modmesh.js');
    const help = await runScript({ script: modmesh, args: ['--help'], cwd: project });
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('registry start')]);
    const keys = await runScript({ script: modmesh, args: ['keys', 'generate', '--out', path.join(project, 'keys')], cwd: project });
    expect(keys.code).toBe(0);

    for (const args of [
      ['registry', 'start', '--port', '0'],
      ['registry', 'migrate', '--storage', 'postgres://modmesh@127.0.0.1:1/none'],
    ]) {
      const refused = await runScript({ script: modmesh, args, cwd: project });
      expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('error MODMESH_PACKAGE_NOT_INSTALLED')]);
      expect(refused.stderr).toContain('npm install @modmesh/registry');
    }
  });
});

// --- internal ---

/**
 * Every package installing `name` brings, by name, with the directory of this checkout's copy:
 * its dependencies and required peers, not optional peers (npm installs those only when asked).
 */
function dependencyClosure(name: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (dependency: string, from: string): void => {
    if (found.has(dependency)) return;
    const dir = locate(dependency, from);
    found.set(dependency, dir);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !manifest.peerDependenciesMeta?.[peer]?.optional);
    for (const next of [...Object.keys(manifest.dependencies ?? {}), ...peers]) visit(next, dir);
  };
  visit(name, repoRoot);
  return found;
}

/** Where Node would find `name` from `dir`: the nearest node_modules up the tree, the real directory. */
function locate(name: string, dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(at) === at) throw new Error(`${name} is not installed above ${dir}`);
  }
}
