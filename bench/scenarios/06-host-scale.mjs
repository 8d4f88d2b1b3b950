// A host following 1, 10 and 100 remotes: process start until every remote's module is loaded,
// with the cache warm (each count started once before to fill it). Aim: 100 remotes under 1 s.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPublisher, greeterFiles } from '../generated-remotes.mjs';
import { cliScript, root, startProcess, workDir } from '../lib.mjs';

export const title = 'Host scale';

export async function run({ quick, log }) {
  const counts = quick ? [1, 3] : [1, 10, 100];
  const rounds = quick ? 1 : 5;
  const dir = workDir('scale');
  const registry = await startProcess(cliScript, {
    args: ['registry', 'start', '--port', '0', '--data', path.join(dir, 'registry')],
    env: { MODMESH_LOG_LEVEL: 'warn' },
  });
  const publisher = createPublisher(registry.url, readFileSync(path.join(dir, 'registry', 'admin-token'), 'utf8').trim());
  const max = Math.max(...counts);
  for (let index = 1; index <= max; index++) {
    const name = `r${index}`;
    await publisher.trust(name);
    await publisher.publish(name, '1.0.0', greeterFiles(`hello from ${name}`));
    await publisher.tag(name, '1.0.0');
  }
  log(`published ${max} generated remotes`);

  const variants = {};
  for (const count of counts) {
    const cacheDir = path.join(dir, `cache-${count}`);
    const start = async () => {
      const startedAt = performance.now();
      const host = await startProcess(path.join(root, 'bench/hosts/many-remotes-host.mjs'), {
        env: { MODMESH_REGISTRY: registry.url, MODMESH_TRUST: publisher.publicKey, MODMESH_CACHE_DIR: cacheDir, REMOTES: String(count) },
        deadlineMs: 60_000,
      });
      const elapsed = performance.now() - startedAt;
      await host.stop();
      return elapsed;
    };
    await start(); // fills the cache
    const samples = [];
    for (let round = 0; round < rounds; round++) samples.push(await start());
    variants[`${count} remote${count === 1 ? '' : 's'}`] = samples;
  }
  await registry.stop();
  const largest = `${max} remotes`;
  return {
    metrics: [
      { name: 'warm start until every remote is loaded', unit: 'ms', variants, aim: { on: largest, stat: 'median', max: 1000, text: `${largest} < 1 s` } },
    ],
    notes: ['modmesh only: each remote is resolved at the registry, verified (Ed25519 + SHA-256 of its files from the cache) and evaluated.'],
  };
}
