// Invariant 7: what stock Module Federation loads, modmesh loads. Remotes configured like the Node
// apps of module-federation/core (apps/node-remote, apps/node-dynamic-remote,
// apps/node-local-remote: names with "-", library names, no output.publicPath and so no
// mf-manifest.json), and by rspack's own federation plugin, each built here, published with
// `modmesh publish` to a registry process, and loaded by a host through the registry.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createMesh, type Mesh } from '@modmesh/runtime';
import { buildStockRemote, type CliRegistry, type ScriptResult, type StockRemoteOptions, startCliRegistry, stopAllServices } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-stock-'));
const expose = (remote: string) => ({ './test': `module.exports = { from: ${JSON.stringify(remote)} };` });

// remote name at the registry -> how its author built it, and what `modmesh publish` is told.
const REMOTES: Record<string, { build: Omit<StockRemoteOptions, 'exposes'>; publish: string[] }> = {
  // apps/node-remote: a library name, the node runtime plugin, no publicPath.
  'node-remote': {
    build: { bundler: 'webpack', name: 'node_remote', library: { type: 'commonjs-module', name: 'node_remote' }, nodeRuntimePlugin: true },
    publish: ['--expose', './test'],
  },
  // apps/node-dynamic-remote: @module-federation/node's UniversalFederationPlugin, target node, shared singletons.
  'node-dynamic-remote': {
    build: {
      bundler: 'webpack-universal',
      name: 'node_dynamic_remote',
      library: { type: 'commonjs-module' },
      target: 'node',
      shared: { semver: { singleton: true } },
    },
    publish: ['--expose', './test'],
  },
  // apps/node-local-remote: a name with "-", publicPath auto (so it has an mf-manifest.json).
  'node-local-remote': {
    build: { bundler: 'webpack', name: 'node-local-remote', library: { type: 'commonjs-module' }, publicPath: 'auto', nodeRuntimePlugin: true },
    publish: [],
  },
  // rspack's built-in ModuleFederationPlugin, with a library name.
  'rspack-builtin': {
    build: { bundler: 'rspack-builtin', name: 'rspack_builtin', library: { type: 'commonjs-module', name: 'rspack_builtin' }, manifest: true },
    publish: ['--bundler', '@rspack/core'],
  },
  // @module-federation/enhanced's rspack plugin, with a library name and no publicPath.
  'rspack-enhanced': {
    build: { bundler: 'rspack', name: 'rspack_enhanced', library: { type: 'commonjs-module', name: 'rspack_enhanced' } },
    publish: ['--bundler', '@rspack/core', '--expose', './test'],
  },
};

let registry: CliRegistry;
const trust: Record<string, string[]> = {};
const published: Record<string, ScriptResult> = {};
const builds: Record<string, string> = {};
let mesh: Mesh;

function expectPublished(result: ScriptResult | undefined): void {
  expect({ code: result?.code, stderr: result?.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
}

beforeAll(async () => {
  registry = await startCliRegistry(work);
  for (const [remote, { build, publish }] of Object.entries(REMOTES)) {
    builds[remote] = await buildStockRemote(path.join(work, 'builds', remote), { ...build, exposes: expose(remote) });
    const publisher = await registry.addPublisher(remote);
    trust[remote] = [publisher.publicKey];
    published[remote] = await publisher.publish(builds[remote], '1.0.0', '--tag', 'stable', ...publish);
  }
  mesh = createMesh({
    registry: registry.url,
    remotes: Object.fromEntries(Object.keys(REMOTES).map((remote) => [remote, `${remote}@stable`])),
    trust,
    cacheDir: path.join(work, 'cache'),
    shared: { semver: { version: (require('semver/package.json') as { version: string }).version, lib: () => require('semver') } },
    reportIntervalMs: 0,
    log: () => {},
  });
});

afterAll(async () => {
  await mesh?.close();
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

describe.each(Object.keys(REMOTES))('%s, built as its author configured it', (remote) => {
  it('publishes, and its module answers in a modmesh host', async () => {
    expectPublished(published[remote]);
    expect(await mesh.import(`${remote}/test`)).toEqual({ from: remote });
    expect(mesh.status().remotes[remote]).toMatchObject({ state: 'ready', version: '1.0.0' });
  });
});

describe('a release missing a file its container needs', () => {
  it('is refused by modmesh publish when mf-manifest.json names it, naming the file: MODMESH_RELEASE_INCOMPLETE', async () => {
    const dir = path.join(work, 'incomplete');
    cpSync(builds['node-local-remote'] as string, dir, { recursive: true });
    const chunk = '__federation_expose_test.js';
    rmSync(path.join(dir, chunk));
    const publisher = await registry.addPublisher('incomplete');
    const result = await publisher.publish(dir, '1.0.0');
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining(
        `error MODMESH_RELEASE_INCOMPLETE: ${dir}: mf-manifest.json names ${chunk} (./test's chunk), which is not in the directory`,
      ),
    });
    expect((await registry.modmesh(['ls', 'incomplete', '--json'])).stdout).toContain('"versions": []');
  });

  it('met by a host anyway (its publisher signed it without the file): MODMESH_CHUNK_NOT_IN_RELEASE naming the file, nothing fetched elsewhere', async () => {
    const dir = path.join(work, 'hostile');
    cpSync(builds['node-local-remote'] as string, dir, { recursive: true });
    const chunk = '__federation_expose_test.js';
    rmSync(path.join(dir, chunk));
    rmSync(path.join(dir, 'mf-manifest.json'));
    rmSync(path.join(dir, 'mf-stats.json'));
    const publisher = await registry.addPublisher('hostile');
    expectPublished(await publisher.publish(dir, '1.0.0', '--tag', 'stable', '--expose', './test'));
    const host = createMesh({
      registry: registry.url,
      remotes: { hostile: 'hostile@stable' },
      trust: { hostile: [publisher.publicKey] },
      cacheDir: path.join(work, 'cache-hostile'),
      reportIntervalMs: 0,
      watch: false,
      log: () => {},
    });
    try {
      await expect(host.import('hostile/test')).rejects.toMatchObject({ code: 'MODMESH_CHUNK_NOT_IN_RELEASE', file: chunk, remote: 'hostile' });
    } finally {
      await host.close();
    }
  });
});
