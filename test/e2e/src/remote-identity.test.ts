// Invariant 8, with stock builds: two remotes, each with its own publisher key, whose builds both
// chose the Module Federation name "auth" and both share a package of the same name and version
// (each bundling its own code for it). A host following both, started several times and in both
// load orders, gets each remote's modules, and each remote's shared import, from that remote only.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMesh } from '@modmesh/runtime';
import { buildStockRemote, type CliRegistry, startCliRegistry, stopAllServices } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-identity-'));
const REMOTES = ['auth', 'billing'] as const;
const STARTS = 3;
let registry: CliRegistry;
const trust: Record<string, string[]> = {};

beforeAll(async () => {
  registry = await startCliRegistry(work);
  for (const remote of REMOTES) {
    const dir = await buildStockRemote(path.join(work, remote), {
      bundler: 'webpack',
      // The field each publisher controls; both chose the same.
      name: 'auth',
      library: { type: 'commonjs-module' },
      publicPath: '',
      exposes: { './whoami': `module.exports = { remote: ${JSON.stringify(remote)}, lib: require('whoami-lib') };` },
      packages: { 'whoami-lib': { version: '1.0.0', source: `module.exports = ${JSON.stringify(`${remote}'s copy`)};` } },
      shared: { 'whoami-lib': { singleton: true, requiredVersion: '^1.0.0' } },
    });
    const publisher = await registry.addPublisher(remote);
    trust[remote] = [publisher.publicKey];
    const published = await publisher.publish(dir, '1.0.0', '--tag', 'stable');
    expect(published.code, published.stderr).toBe(0);
  }
});

afterAll(async () => {
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

describe('two remotes whose stock builds claim the same name', () => {
  it.each([[['auth', 'billing']], [['billing', 'auth']]])('each answers only its own imports, loaded in the order %j, start after start', async (order) => {
    for (let start = 1; start <= STARTS; start += 1) {
      const mesh = createMesh({
        registry: registry.url,
        remotes: { auth: 'auth@stable', billing: 'billing@stable' },
        trust,
        cacheDir: path.join(work, `cache-${order.join('-')}`),
        reportIntervalMs: 0,
        watch: false,
        log: () => {},
      });
      try {
        const answers: Record<string, unknown> = {};
        for (const remote of order) answers[remote] = await mesh.import(`${remote}/whoami`);
        expect({ start, answers }).toEqual({
          start,
          answers: { auth: { remote: 'auth', lib: "auth's copy" }, billing: { remote: 'billing', lib: "billing's copy" } },
        });
        expect(
          mesh
            .status()
            .shared['whoami-lib']?.map((copy) => copy.from)
            .sort(),
        ).toEqual(['auth', 'billing']);
      } finally {
        await mesh.close();
      }
    }
  });
});
