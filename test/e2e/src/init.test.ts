// A new user's path, outside this checkout: `modmesh init` a remote, install modmesh from the
// tarballs `npm pack` makes of this checkout (their own dependencies from npm's cache or the npm
// registry), build and test it, publish it with the CLI it installed to a registry process,
// then `modmesh init --host` a service that installs the runtime the same way and runs the
// remote's module. With webpack and with rspack. The wall time of each path is printed (it is
// reported in the README, never asserted).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type CliRegistry, repoRoot, requestJson, requireCompiled, startCliRegistry, stopAllServices } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every package a remote or a host installs.
const PACKED = [
  'packages/manifest',
  'packages/api',
  'packages/trust',
  'packages/host-core',
  'packages/contract',
  'packages/build',
  'packages/cli',
  'packages/runtime',
];
// npm install with a cold cache entry can take a while on this machine; a build a few seconds.
const STEP_DEADLINE_MS = 240_000;

describe('modmesh init, outside this checkout', () => {
  // Outside the checkout: nothing can resolve from its node_modules.
  const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-init-'));
  const packs = path.join(work, 'packs');
  const cli = path.join(repoRoot, 'packages/cli/bin/modmesh.js');
  let registry: CliRegistry;

  beforeAll(async () => {
    for (const dir of PACKED) requireCompiled(`${dir}/dist/index.js`);
    mkdirSync(packs);
    await run('npm', ['pack', ...PACKED.flatMap((dir) => ['-w', dir]), '--pack-destination', packs], repoRoot);
    registry = await startCliRegistry(path.join(work, 'registry-work'));
  }, STEP_DEADLINE_MS);

  afterAll(async () => {
    await stopAllServices();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs one tarball per package, holding what it runs and nothing of the sources', async () => {
    expect(readdirSync(packs).sort()).toEqual(PACKED.map((dir) => `modmesh-${path.basename(dir)}-0.1.0.tgz`).sort());
    const { stdout } = await run('tar', ['-tzf', path.join(packs, 'modmesh-cli-0.1.0.tgz')], work);
    const files = stdout.trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/bin/modmesh.js', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/package.json']));
    expect(files.filter((file) => file.startsWith('package/src/') || file.endsWith('.test.js'))).toEqual([]);
  });

  describe.each(['webpack', 'rspack'] as const)('with %s', (bundler) => {
    it(
      'goes from an empty directory to a published remote and a host running its module',
      async () => {
        const started = performance.now();
        const times: string[] = [];
        const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
          const at = performance.now();
          const value = await fn();
          times.push(`${name} ${((performance.now() - at) / 1000).toFixed(1)} s`);
          return value;
        };
        const remote = `greeter-${bundler}`;
        const remoteDir = path.join(work, bundler, remote);
        const hostDir = path.join(work, bundler, 'shop');
        const publisher = await registry.addPublisher(remote);

        await step('init', () => run(process.execPath, [cli, 'init', remoteDir, '--bundler', bundler, '--packages', packs], work));
        await step('npm install', () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], remoteDir));
        // The scaffold's own test: it builds, then loads the built container and calls ./greeting.
        const tested = await step('npm test (build + test)', () => run('npm', ['test'], remoteDir));
        expect(tested.stdout).toContain(`built ${remote} with ${bundler}`);
        expect(tested.stdout).toContain('# pass 1');

        // Published with the modmesh it installed, the release directory as the build wrote it.
        const modmesh = path.join(remoteDir, 'node_modules/.bin/modmesh');
        await step('publish', () =>
          run(modmesh, ['publish', 'dist/release', '--version', '1.0.0', '--tag', 'stable', '--key', publisher.keyFile], remoteDir, {
            MODMESH_REGISTRY: registry.url,
            MODMESH_TOKEN: publisher.token,
          }),
        );
        // The CLI a remote installs has no registry (an optional peer that compiles SQLite's driver): it says how to get one.
        const noRegistry = await run(modmesh, ['registry', 'start', '--port', '0'], remoteDir).catch((error: { stderr: string }) => error);
        expect(noRegistry.stderr).toContain('error MODMESH_PACKAGE_NOT_INSTALLED: `modmesh registry start` needs @modmesh/registry');
        expect(noRegistry.stderr).toContain('npm install @modmesh/registry');

        const release = await requestJson<{ manifest: { build: { bundler: string }; containers: { target: string; exposes: { name: string }[] }[] } }>(
          `${registry.url}/v1/remotes/${remote}/releases/1.0.0`,
        );
        expect(release.body.manifest.build.bundler).toBe(bundler);
        expect(release.body.manifest.containers).toMatchObject([{ target: 'node', exposes: [{ name: './greeting' }] }]);

        await step('init --host', () => run(process.execPath, [cli, 'init', hostDir, '--host', '--uses', remote, '--packages', packs], work));
        await step('npm install', () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], hostDir));
        await step('npm test', () => run('npm', ['test'], hostDir));
        const ran = await step('host run', () =>
          run(process.execPath, ['src/main.js', 'Ada'], hostDir, { MODMESH_REGISTRY: registry.url, MODMESH_TRUST: publisher.publicKey }),
        );
        expect(ran.stdout.trim()).toBe('Hello, Ada!');

        console.log(`init → host running (${bundler}): ${((performance.now() - started) / 1000).toFixed(1)} s (${times.join(', ')})`);
      },
      STEP_DEADLINE_MS * 2,
    );
  });
});

// --- internal ---

// A command as the user runs it: none of this test run's npm settings (npm test sets npm_config_*
// variables that would point a nested npm at this checkout).
async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  try {
    return await promisify(execFile)(command, args, { cwd, env: { ...clean, ...env }, timeout: STEP_DEADLINE_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw Object.assign(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed:\n${stdout ?? ''}\n${stderr ?? ''}`), { stdout, stderr });
  }
}
