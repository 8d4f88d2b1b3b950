// Heap and RSS of a stock Module Federation host after 1, 50 and 200 live swaps of the real auth
// build: the counterpart of modmesh-swap-memory.mjs (run by bench/scenarios/05-memory.mjs; or by
// hand for the table):
//   node --expose-gc bench/hosts/stock-swap-memory.mjs [swaps=200] [--json] [--new-entry-each-release]
// The host is the webpack-built stock host (stock/, built if stale) loaded into this process,
// with its opt-in reload loop: it polls remoteEntry.js and, on a change, swaps with
// registerRemotes({ force: true }) + loadRemote(), the stock path that serves the new release
// (MF-NODE-FACTS.md). The remote is served by static-server.mjs in a process of its own.
//
// Each release is the same build deployed again, as modmesh-swap-memory.mjs publishes the same
// files as a new version. A stock host only sees a release whose remoteEntry.js bytes differ, so
// releases alternate between two stamped copies of the entry (a host never gets the entry it
// runs). --new-entry-each-release stamps every release differently instead: the heap then grows
// with every distinct entry source evaluated, and a heap cap (--max-old-space-size=48) shows the
// growth is reclaimable, not a leak.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { authKey, startProcess, stopAll, workDir } from '../lib.mjs';
import { ensureStockHost } from './stock/build.mjs';
import { buildStockAuth } from './stock/build-remote.mjs';
import { deployStockBuild } from './stock-deploy.mjs';

// Short, so that 200 swaps take seconds: the interval sets how soon the host looks, not what a
// swap does. Swap latency with a realistic interval is bench/scenarios/04-swap-latency.mjs.
const RELOAD_INTERVAL_MS = 10;
const SWAP_DEADLINE_MS = 10_000;

if (!global.gc) throw new Error('run with node --expose-gc');
const swaps = Number(process.argv[2] ?? 200);
const asJson = process.argv.includes('--json');
const newEntryEachRelease = process.argv.includes('--new-entry-each-release');
const checkpoints = new Set([1, 50, 200, swaps]);

const work = workDir('stock-memory');
const buildDir = path.join(work, 'build');
const servedDir = path.join(work, 'served');
mkdirSync(servedDir);
buildStockAuth({ outDir: buildDir, privateKeyPem: authKey(), bundler: 'webpack' });
let { build } = deployStockBuild({ buildDir, servedDir, label: '1.0.0' });
const remoteServer = await startProcess(path.join(path.dirname(fileURLToPath(import.meta.url)), 'static-server.mjs'), { args: [servedDir] });

// The static server is a child process: stop it however this process ends (the stock host's
// own SIGTERM handler exits too).
process.once('exit', function stopRemoteServer() {
  remoteServer.child.kill();
});
process.once('SIGTERM', function stop() {
  process.exit(143);
});
try {
  const host = startHostInProcess({
    PORT: '0',
    AUTH_REMOTE_URL: `${remoteServer.url}/remoteEntry.js`,
    AUTH_RELOAD_INTERVAL_MS: String(RELOAD_INTERVAL_MS),
    AUTH_RELOAD_MODE: 'force',
  });
  await host.waitFor((seen) => seen.watching?.build === build);
  await host.validate('warm.up.token');

  const rows = [];
  const measure = (label) => {
    global.gc();
    global.gc();
    const { heapUsed, rss } = process.memoryUsage();
    rows.push({ label, heapMB: heapUsed / 1048576, rssMB: rss / 1048576 });
  };
  measure('first load');
  const started = performance.now();
  for (let swap = 1; swap <= swaps; swap++) {
    ({ build } = deployStockBuild({ buildDir, servedDir, label: newEntryEachRelease ? `1.0.${swap}` : `copy ${swap % 2}` }));
    await host.waitFor((seen) => seen.swapped?.to === build);
    await host.validate('a.b.c');
    if (checkpoints.has(swap)) measure(`after ${swap} swaps`);
  }
  report(rows, (performance.now() - started) / swaps, host.print);
} finally {
  await stopAll();
}
// The host keeps polling (and failing) once its remote is gone: exit rather than wait for it.
process.exit(0);

// --- internal ---

function report(rows, msPerSwap, print) {
  if (asJson) return print(JSON.stringify({ msg: 'result', rows, msPerSwap }));
  const base = rows[0].heapMB;
  print(`| point | heap (MB, after GC) | heap / first load | RSS (MB) |\n|---|---|---|---|`);
  for (const row of rows) print(`| ${row.label} | ${row.heapMB.toFixed(1)} | ${(row.heapMB / base).toFixed(2)}x | ${row.rssMB.toFixed(0)} |`);
  print(
    `\n${swaps} swaps (deploy + poll + swap observed), ${msPerSwap.toFixed(0)} ms each; poll interval ${RELOAD_INTERVAL_MS} ms; ${newEntryEachRelease ? 'a new entry each release' : 'two alternating entries'}; Node ${process.version}`,
  );
}

// Loads the built stock host into this process. Its JSON log lines (stdout) are taken off the
// stream for good and only the last line of each kind is kept, so the log adds nothing to the
// heap measured here; warnings and errors go to stderr, this script's output through print().
function startHostInProcess(env) {
  Object.assign(process.env, env);
  const seen = {};
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = function captureHostLog(chunk, ...rest) {
    for (const line of String(chunk).split('\n')) {
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line);
      seen[parsed.msg] = parsed;
      if (parsed.level === 'warn' || parsed.level === 'error') process.stderr.write(`${line}\n`);
    }
    rest.find((argument) => typeof argument === 'function')?.();
    return true;
  };
  createRequire(import.meta.url)(ensureStockHost());
  return {
    async waitFor(match) {
      const deadline = Date.now() + SWAP_DEADLINE_MS;
      while (!match(seen)) {
        if (Date.now() > deadline) throw new Error(`stock host: no matching log line within ${SWAP_DEADLINE_MS} ms (last: ${JSON.stringify(seen)})`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },
    // One request through the host's own route, so each release's validator really runs
    // (403: the token is not valid, which is the validator's answer).
    async validate(token) {
      await this.waitFor((lines) => lines.listening);
      const response = await fetch(`${seen.listening.url}/profile`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      if (response.status !== 403) throw new Error(`stock host: /profile with a bad token answered ${response.status}, not 403`);
    },
    print(text) {
      write(`${text}\n`);
    },
  };
}
