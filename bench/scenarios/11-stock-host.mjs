// The documents' stock webpack host, cold: from spawning it to its first 200 on /profile. The
// same host code and Module Federation options built twice: with the modmesh runtime plugin
// (auth@stable resolved at the registry, signature and every byte verified, a fresh cache each
// round) and without it (stock's Node runtime plugin fetching and evaluating remoteEntry.js from a
// static server, no checks). What adopting modmesh costs an existing host at start-up.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStockAuth } from '../hosts/stock/build-remote.mjs';
import { buildWithoutPlugin, startStockUserService, withPluginScript } from '../hosts/stock-user-service.mjs';
import { alternate, authKey, buildAuth, startAuthWithToken, startProcess, startRegistryWithAuth, waitFor200, workDir } from '../lib.mjs';

export const title = 'Stock host with the runtime plugin';

const VARIANTS = ['stock', 'modmesh'];
const ROUNDS = { full: 10, quick: 1 };
const BUNDLER = { full: 'webpack', quick: 'rspack' };
const staticServerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), '../hosts/static-server.mjs');

export async function run({ quick, log }) {
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const dir = workDir('stock-host');
  const privateKeyPem = authKey();
  const bundler = quick ? BUNDLER.quick : BUNDLER.full;
  const remoteDir = path.join(dir, 'remote');
  const stockRemoteDir = path.join(dir, 'remote-stock');
  buildAuth({ outDir: remoteDir, privateKeyPem, bundler });
  buildStockAuth({ outDir: stockRemoteDir, privateKeyPem, bundler });
  const { token } = await startAuthWithToken({ remoteDir, privateKeyPem });
  const registry = await startRegistryWithAuth(dir);
  registry.publish(remoteDir, '1.0.0', 'stable');
  const remoteServer = await startProcess(staticServerScript, { args: [stockRemoteDir] });
  const scripts = { modmesh: withPluginScript, stock: await buildWithoutPlugin(`${remoteServer.url}/remoteEntry.js`) };

  const firstOk = await alternate(rounds, VARIANTS, async function coldStart(variant, round) {
    const env =
      variant === 'modmesh'
        ? { MODMESH_REGISTRY: registry.url, MODMESH_TRUST_AUTH: registry.publicKey, MODMESH_CACHE_DIR: path.join(dir, `cache-${round}`) }
        : {};
    const startedAt = performance.now();
    const host = await startStockUserService(scripts[variant], env);
    await waitFor200(`${host.url}/profile`, token, { intervalMs: 5 });
    const ms = performance.now() - startedAt;
    await host.stop();
    log(`round ${round + 1}/${rounds} ${variant}: first 200 ${ms.toFixed(0)} ms`);
    return ms;
  });
  return {
    metrics: [
      {
        name: 'process start to first 200 on /profile, empty cache',
        unit: 'ms',
        variants: firstOk,
        ratio: ['modmesh', 'stock'],
      },
    ],
    notes: [
      'the same examples/stock-user-service code and federation.config.js; modmesh: its runtime plugin, the release from the registry, verified; stock: @module-federation/node/runtimePlugin and the auth container (built with the node runtime plugin, as stock needs over HTTP) from a static server',
    ],
  };
}
