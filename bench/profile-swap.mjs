// A CPU profile of one modmesh host's swaps, the figure behind scenario 04's "CPU per swap":
// one user service (with a code cache under a key of the run, as in scenario 04) started with
// `--cpu-prof`, then `rounds` releases (webpack and rspack builds alternately, so every release
// from the third on was compiled once on the machine) each moved to `stable`. Only the samples
// from the tag move to the host's "swap took" log line count (the profile's clock and this
// process's `process.hrtime` are the same monotonic clock); the top items are per swap. Also
// prints the host's own cpuMs per swap. Run after `npm run build`.
//   node bench/profile-swap.mjs [--rounds N] [--top N]
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { authKey, buildAuth, startProcess, startRegistryWithAuth, stats, stopAll, userServiceScript, workDir } from './lib.mjs';
import { summarizeProfile } from './profile-summary.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const ROUNDS = option('--rounds', 30);
const TOP = option('--top', 12);
const LINE_DEADLINE_MS = 30_000;

const dir = workDir('profile-swap');
try {
  const privateKeyPem = authKey();
  const builds = ['webpack', 'rspack'].map((bundler) => {
    const outDir = path.join(dir, `build-${bundler}`);
    buildAuth({ outDir, privateKeyPem, bundler });
    return outDir;
  });
  const registry = await startRegistryWithAuth(dir);
  registry.publish(builds[0], '1.0.0', 'stable');
  const profileDir = path.join(dir, 'profile');
  const host = await startProcess(userServiceScript, {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    env: {
      PORT: '0',
      MODMESH_REGISTRY: registry.url,
      MODMESH_TRUST_AUTH: registry.publicKey,
      MODMESH_CACHE_DIR: path.join(dir, 'cache'),
      MODMESH_CODE_CACHE_DIR: path.join(dir, 'code-cache'),
      MODMESH_CODE_CACHE_KEY: randomBytes(32).toString('base64url'),
    },
  });
  await lineOf(host, (line) => line.msg === 'auth: running 1.0.0');
  const windows = [];
  const cpuMs = [];
  let current = '1.0.0';
  for (let round = 1; round <= ROUNDS; round++) {
    const version = `1.1.${round}`;
    registry.publish(builds[round % 2], version);
    const from = nowUs();
    const moved = await fetch(`${registry.url}/v1/remotes/auth/tags/stable`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${registry.env.MODMESH_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version, expect: current }),
    });
    if (!moved.ok) throw new Error(`moving stable to ${version}: ${moved.status} ${await moved.text()}`);
    const cost = await lineOf(host, (line) => line.version === version && typeof line.cpuMs === 'number');
    windows.push([from, nowUs()]);
    cpuMs.push(cost.cpuMs);
    current = version;
  }
  await host.stop();
  const [file] = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
  const counted = windows.slice(2);
  const { median } = stats(cpuMs.slice(2));
  console.log(`## one host's swap, rounds 3-${ROUNDS} (compiled once on the machine): cpuMs median ${median.toFixed(2)} ms (its log lines)\n`);
  console.log(
    summarizeProfile(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')), {
      top: TOP,
      per: counted.length,
      keep: (at) => counted.some(([from, to]) => at >= from && at <= to),
    }),
  );
  console.log(`\nprofile in ${profileDir} (times above are per swap)`);
} finally {
  await stopAll();
}

// --- internal ---

function nowUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

// The first JSON log line of the host, from now on, that `matches`.
async function lineOf(host, matches) {
  const deadline = Date.now() + LINE_DEADLINE_MS;
  let seen = 0;
  while (Date.now() < deadline) {
    for (; seen < host.lines.length; seen++) {
      const line = parse(host.lines[seen]);
      if (line && matches(line)) {
        host.lines.splice(0, seen + 1);
        return line;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`no matching log line within ${LINE_DEADLINE_MS} ms\n${host.lines.slice(-10).join('\n')}`);
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
