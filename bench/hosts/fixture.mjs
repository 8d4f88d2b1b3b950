// What scenarios 01-03 share: the User Service in three forms behind one call, each started as
// a real process on loopback and fed the same auth release.
//   stock    webpack-built Module Federation host (stock/), remote served by static-server.mjs
//   modmesh  examples/user-service, remote published to a modmesh registry as auth@1.0.0 stable
//   local    local-host.mjs: the same app with the validator imported, no federation
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { authKey, buildAuth, startAuthWithToken, startProcess, startRegistryWithAuth, userServiceScript, waitFor200, workDir } from '../lib.mjs';
import { ensureStockHost } from './stock/build.mjs';
import { buildStockAuth } from './stock/build-remote.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const staticServerScript = path.join(here, 'static-server.mjs');
const localHostScript = path.join(here, 'local-host.mjs');

// A full run builds with webpack, what modmesh's example ships. A quick run only keeps the
// harness working, and rspack builds the same container in a fraction of the time.
const BUNDLER = { full: 'webpack', quick: 'rspack' };

// Start-to-200 polls every few ms: the figure is meant to be start-up, not the poll interval.
const POLL_INTERVAL_MS = 5;

/**
 * Starts what the variants need (the auth service for a token, plus a registry with the release
 * published and/or a static server holding the stock build) and returns
 * `{ token, start(variant, { cacheDir }), timeStart(variant, { cacheDir }) }`.
 */
export async function startUserServiceFixture({ name, quick, variants }) {
  const dir = workDir(name);
  // The hosts' working directory, empty: the stock loader looks there for chunk files first.
  const cwd = path.join(dir, 'cwd');
  mkdirSync(cwd);
  const builds = authBuilds(quick ? BUNDLER.quick : BUNDLER.full);
  const { token } = await startAuthWithToken({ remoteDir: builds.remoteDir, privateKeyPem: builds.privateKeyPem });

  const hosts = {};
  if (variants.includes('modmesh')) {
    const registry = await startRegistryWithAuth(dir);
    registry.publish(builds.remoteDir, '1.0.0', 'stable');
    // V8's compiled code is kept beside the release (cacheDir/code) under a key of the run: an
    // empty cache directory has none (cold), a filled one has what the first start compiled.
    const codeCacheKey = randomBytes(32).toString('base64url');
    hosts.modmesh = {
      script: userServiceScript,
      env({ cacheDir }) {
        if (!cacheDir) throw new Error('the modmesh host needs a cacheDir');
        return { MODMESH_REGISTRY: registry.url, MODMESH_TRUST_AUTH: registry.publicKey, MODMESH_CACHE_DIR: cacheDir, MODMESH_CODE_CACHE_KEY: codeCacheKey };
      },
    };
  }
  if (variants.includes('stock')) {
    const remoteServer = await startProcess(staticServerScript, { args: [builds.stockRemoteDir] });
    hosts.stock = { script: ensureStockHost(), env: () => ({ AUTH_REMOTE_URL: `${remoteServer.url}/remoteEntry.js` }) };
  }
  if (variants.includes('local')) {
    hosts.local = { script: localHostScript, env: () => ({ AUTH_PUBLIC_JWK: builds.publicJwk }) };
  }

  function start(variant, options = {}) {
    const host = hosts[variant];
    if (!host) throw new Error(`${variant} is not one of this fixture's variants (${variants.join(', ')})`);
    // options.nodeArgs: Node's own options for the process (bench/profile-start.mjs: --cpu-prof).
    return startProcess(host.script, { cwd, nodeArgs: options.nodeArgs, env: { PORT: '0', ...host.env(options) } });
  }

  return {
    token,
    start,
    /**
     * Starts a host, waits for its first 200 on /profile, stops it. Both times are ms from just
     * before the process is spawned: `listeningMs` to its "listening" log line, `firstOkMs` to
     * the 200.
     */
    async timeStart(variant, options = {}) {
      const startedAt = performance.now();
      const host = await start(variant, options);
      const listeningMs = performance.now() - startedAt;
      await waitFor200(`${host.url}/profile`, token, { intervalMs: POLL_INTERVAL_MS });
      const firstOkMs = performance.now() - startedAt;
      const cpuMs = processCpuMs(host.pid);
      await host.stop();
      return { listeningMs, firstOkMs, cpuMs };
    },
  };
}

// --- internal ---

// USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux that Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

// User + system CPU of a process so far (all its threads), in ms at 10 ms resolution, from /proc
// (Linux); undefined elsewhere. Less moved than wall time by what else runs on the machine.
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

const builtBy = new Map();

// One key and one pair of builds per bundler for the whole run: bench/run.mjs loads every
// scenario into one process, and building takes longer than most measurements.
function authBuilds(bundler) {
  if (!builtBy.has(bundler)) {
    const dir = workDir(`auth-${bundler}`);
    const privateKeyPem = authKey();
    const remoteDir = path.join(dir, 'remote');
    const stockRemoteDir = path.join(dir, 'remote-stock');
    buildAuth({ outDir: remoteDir, privateKeyPem, bundler });
    buildStockAuth({ outDir: stockRemoteDir, privateKeyPem, bundler });
    const publicJwk = JSON.stringify(createPublicKey(privateKeyPem).export({ format: 'jwk' }));
    builtBy.set(bundler, { privateKeyPem, publicJwk, remoteDir, stockRemoteDir });
  }
  return builtBy.get(bundler);
}
