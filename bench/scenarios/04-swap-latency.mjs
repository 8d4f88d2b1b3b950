// Swap latency: from a new release becoming visible to the moment every host serves it, across
// 1, 10 and 50 User Service processes. Each host logs a "swapped" line with a millisecond
// timestamp right after the swap (the next request is served by the new release); the latency
// of a round is that of the last host to swap.
//   modmesh  examples/user-service following auth@stable; a release is a tag move (pushed).
//   stock    the webpack-built stock host (hosts/stock/) polling remoteEntry.js every second and
//            swapping with registerRemotes({ force: true }) + loadRemote(), the stock path that
//            serves a new build (MF-NODE-FACTS.md); a release is a new build deployed to the
//            static server it loads from.
// Aims: modmesh p99 under 250 ms for 50 hosts on loopback; the CPU one host spends on a swap
// (its own process.cpuUsage, logged with the swap) under 5 ms when the release was compiled once
// on the machine.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureStockHost } from '../hosts/stock/build.mjs';
import { buildStockAuth } from '../hosts/stock/build-remote.mjs';
import { deployStockBuild } from '../hosts/stock-deploy.mjs';
import { authKey, buildAuth, root, startProcess, startRegistryWithAuth, stats, userServiceScript, waitForLine, workDir } from '../lib.mjs';

export const title = 'Swap latency';

const HOST_COUNTS = { full: [1, 10, 50], quick: [1, 2] };
// Stock rounds take a poll interval each: fewer of them.
const ROUNDS = { full: { modmesh: 20, stock: 10 }, quick: { modmesh: 2, stock: 2 } };
// How often a stock host looks for a new build: the interval MF-NODE-FACTS.md's revalidate()
// loop used.
const STOCK_POLL_INTERVAL_MS = 1000;
// Two builds with different bytes, released alternately, so every round is a real swap.
const BUNDLERS = ['webpack', 'rspack'];
// A busy box starting 50 Node processes: give each room to boot.
const START_DEADLINE_MS = 120_000;
const SWAP_DEADLINE_MS = 30_000;

export async function run({ quick, log }) {
  const hostCounts = quick ? HOST_COUNTS.quick : HOST_COUNTS.full;
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const dir = workDir('swap');
  const privateKeyPem = authKey();
  const systems = { modmesh: await createModmeshSystem(dir, privateKeyPem), stock: await createStockSystem(dir, privateKeyPem) };

  const latency = {};
  const stockLoad = {};
  const cpu = {};
  for (const count of hostCounts) {
    const hosts = `${count} host${count === 1 ? '' : 's'}`;
    latency[count] = {};
    for (const [name, system] of Object.entries(systems)) {
      const result = await measureSwaps(system, count, rounds[name], (message) => log(`${name}, ${hosts}: ${message}`));
      latency[count][`${name}, ${hosts}`] = result.latency;
      cpu[`${name}, ${hosts}`] = result.cpuMs;
      if (name === 'stock') stockLoad[`stock, ${hosts}`] = result.loadMs;
    }
  }
  await Promise.all(Object.values(systems).map((system) => system.stop()));

  const largest = Math.max(...hostCounts);
  return {
    metrics: [
      ...hostCounts.map((count) => {
        const [modmesh, stock] = Object.keys(latency[count]);
        return {
          name: `new release to the last of ${count} host${count === 1 ? '' : 's'} serving it`,
          unit: 'ms',
          variants: latency[count],
          ratio: [modmesh, stock],
          ...(count === largest && { aim: { on: modmesh, stat: 'p99', max: 250, text: `modmesh p99 < 250 ms (${largest} hosts)` } }),
        };
      }),
      { name: 'stock: poll saw the new build to serving it (slowest host per round)', unit: 'ms', variants: stockLoad },
      {
        name: 'CPU one host spends on a swap (process.cpuUsage), every host of every round',
        unit: 'ms',
        variants: cpu,
        ratio: [`modmesh, ${largest} hosts`, `stock, ${largest} hosts`],
        aim: { on: `modmesh, ${largest} hosts`, stat: 'median', max: 5, text: `modmesh < 5 ms (${largest} hosts, median)` },
      },
    ],
    notes: [
      'modmesh: each round publishes a new version (webpack and rspack builds alternately, so bytes differ) and moves stable with compare-and-swap; the registry pushes the move to the hosts. Timed from just before the tag move.',
      `stock: each round deploys the other build (chunks first, then remoteEntry.js by an atomic rename, stamped so every release has its own bytes) at a random point of the hosts' ${STOCK_POLL_INTERVAL_MS} ms poll cycle; timed from the rename. "poll saw the new build to serving it" is the loading alone; the rest is the wait for the next poll.`,
      'stock: revalidate() from @module-federation/node/utils reported the change, then loadRemote() failed (`__webpack_modules__[moduleId] is not a function`) and later polls saw no remote at all: the host kept serving the old build (AUTH_RELOAD_MODE=revalidate in hosts/stock/src/bootstrap.js reproduces it). Only registerRemotes({ force: true }) + loadRemote() swaps.',
      'the systems run one after the other for each host count, never at the same time; timestamps are the hosts’ own log lines, on the same clock as the release.',
      'CPU per swap: modmesh, the process CPU of the whole update (resolve, verify, files from the cache or the registry, evaluate, install), from its "swap took" log line; stock, the poll that found the new build and the reload, from its "swapped" line. The modmesh hosts share a code cache (MODMESH_CODE_CACHE_DIR, with a key made for the run): the two builds alternate, so from the third round on every release was compiled once on the machine; the first round compiles.',
    ],
  };
}

// --- internal ---

// Starts `count` hosts of one system, waits until all run the current release, then releases
// `rounds` times; returns per round the latency to the last host's swap and, where the hosts
// log it, the slowest host's load time.
async function measureSwaps(system, count, rounds, log) {
  const hosts = [];
  try {
    for (let index = 0; index < count; index++) hosts.push(await system.startHost(`${count}-${index}`));
    await Promise.all(hosts.map((host) => waitForLine(host, system.isRunning, START_DEADLINE_MS)));
    log('running');
    const latency = [];
    const loadMs = [];
    const cpuMs = [];
    for (let round = 0; round < rounds; round++) {
      const { visibleAt, isSwap, isCost } = await system.release();
      const swapped = await Promise.all(hosts.map((host) => waitForLine(host, isSwap, SWAP_DEADLINE_MS)));
      latency.push(Math.max(...swapped.map((line) => Date.parse(line.time) - visibleAt)));
      if (swapped.every((line) => typeof line.loadMs === 'number')) loadMs.push(Math.max(...swapped.map((line) => line.loadMs)));
      const costs = await Promise.all(hosts.map((host) => waitForLine(host, isCost, SWAP_DEADLINE_MS)));
      cpuMs.push(...costs.map((line) => line.cpuMs));
    }
    log(`${rounds} rounds, last ${latency.at(-1)} ms, CPU per host median ${stats(cpuMs).median.toFixed(1)} ms`);
    return { latency, loadMs, cpuMs };
  } finally {
    await Promise.all(hosts.map((host) => host.stop()));
  }
}

async function createModmeshSystem(dir, privateKeyPem) {
  const registry = await startRegistryWithAuth(dir);
  const builds = BUNDLERS.map((bundler) => {
    const outDir = path.join(dir, `build-${bundler}`);
    buildAuth({ outDir, privateKeyPem, bundler });
    return outDir;
  });
  registry.publish(builds[0], '1.0.0', 'stable');
  let current = '1.0.0';
  let released = 0;
  // One code cache for the machine's hosts, vouched for by a key of the run (see the notes).
  const codeCache = { MODMESH_CODE_CACHE_DIR: path.join(dir, 'code-cache'), MODMESH_CODE_CACHE_KEY: randomBytes(32).toString('base64url') };
  return {
    startHost: (id) =>
      startProcess(userServiceScript, {
        env: {
          PORT: '0',
          MODMESH_REGISTRY: registry.url,
          MODMESH_TRUST_AUTH: registry.publicKey,
          MODMESH_CACHE_DIR: path.join(dir, `cache-${id}`),
          AUTH_DEADLINE_MS: '20000',
          ...codeCache,
        },
        deadlineMs: START_DEADLINE_MS,
      }),
    isRunning: (line) => line.msg === `auth: running ${current}`,
    async release() {
      released += 1;
      const version = `1.1.${released}`;
      registry.publish(builds[released % 2], version);
      const visibleAt = Date.now();
      await moveStable(registry, current, version);
      current = version;
      return {
        visibleAt,
        isSwap: (line) => line.to === version && typeof line.msg === 'string' && line.msg.includes('swapped'),
        isCost: (line) => line.version === version && typeof line.cpuMs === 'number',
      };
    },
    stop: () => registry.stop(),
  };
}

async function createStockSystem(dir, privateKeyPem) {
  const builds = BUNDLERS.map((bundler) => {
    const outDir = path.join(dir, `stock-build-${bundler}`);
    buildStockAuth({ outDir, privateKeyPem, bundler });
    return outDir;
  });
  const servedDir = path.join(dir, 'stock-served');
  // The hosts' working directory, empty: the stock loader looks there for chunk files first.
  const cwd = path.join(dir, 'stock-cwd');
  mkdirSync(servedDir);
  mkdirSync(cwd);
  let current = deployStockBuild({ buildDir: builds[0], servedDir, label: '1.0.0' }).build;
  const server = await startProcess(path.join(root, 'bench/hosts/static-server.mjs'), { args: [servedDir] });
  const script = ensureStockHost();
  let released = 0;
  return {
    startHost: () =>
      startProcess(script, {
        cwd,
        env: { PORT: '0', AUTH_REMOTE_URL: `${server.url}/remoteEntry.js`, AUTH_RELOAD_INTERVAL_MS: String(STOCK_POLL_INTERVAL_MS) },
        deadlineMs: START_DEADLINE_MS,
      }),
    isRunning: (line) => line.msg === 'watching' && line.build === current,
    async release() {
      // A deploy lands anywhere in the hosts' poll cycle, not right after the last swap's poll.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * STOCK_POLL_INTERVAL_MS));
      released += 1;
      const { build, visibleAt } = deployStockBuild({ buildDir: builds[released % 2], servedDir, label: `1.1.${released}` });
      current = build;
      const isSwap = (line) => line.msg === 'swapped' && line.to === build;
      return { visibleAt, isSwap, isCost: isSwap };
    },
    stop: () => server.stop(),
  };
}

async function moveStable(registry, expect, version) {
  const response = await fetch(`${registry.url}/v1/remotes/auth/tags/stable`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${registry.env.MODMESH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version, expect }),
  });
  if (!response.ok) throw new Error(`move stable to ${version}: ${response.status} ${await response.text()}`);
}
