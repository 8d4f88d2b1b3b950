// The registry's read path under load, against nginx serving the very same bytes as static
// files: what a host fleet starting at once asks of it (a resolve, then the release's files).
// nginx is the practical ceiling for both, not a competitor: it does no auth, no lookup and
// no metrics. Needs nginx (apt-get install nginx); without it only modmesh is measured.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { alternate, authKey, buildAuth, sha256, startRegistryWithAuth, stats, workDir } from '../lib.mjs';
import { findNginx, startNginx } from '../nginx.mjs';

export const title = 'Registry';

// What a host sends at boot and on every tag event.
const RESOLVE_PATH = '/v1/remotes/auth/resolve/stable';
// As many concurrent clients as the README's registry figure, so the two can be compared.
const CONNECTIONS = 10;
const FULL = { rounds: 3, seconds: 10, warmupSeconds: 2 };
const QUICK = { rounds: 1, seconds: 1, warmupSeconds: 0 };
const VARIANTS = ['modmesh', 'nginx'];
const BYTES_PER_MB = 1e6;
// USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux that Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

export async function run({ quick, log }) {
  const plan = quick ? QUICK : FULL;
  const dir = workDir('registry');
  const registry = await startRegistryWithAuth(dir);
  const outDir = path.join(dir, 'auth');
  buildAuth({ outDir, privateKeyPem: authKey() });
  registry.publish(outDir, '1.0.0', 'stable');

  const largest = largestFile(outDir);
  const blobBytes = readFileSync(largest);
  const blobPath = `/v1/blobs/${sha256(blobBytes)}`;
  const resolveBody = await fetchBytes(registry.url + RESOLVE_PATH);
  if (!(await fetchBytes(registry.url + blobPath)).equals(blobBytes)) throw new Error(`registry: ${blobPath} is not ${path.basename(largest)}`);
  const notes = [
    `autocannon, ${CONNECTIONS} connections, ${plan.seconds} s per run, in the benchmark's own process, so it shares the machine's cores with the server it loads`,
    `resolve answer ${resolveBody.length} bytes; file: ${path.basename(largest)}, ${blobBytes.length} bytes, the largest of the auth build; MB/s is autocannon's throughput (bytes read, headers included) / 10^6`,
  ];

  const nginx = findNginx();
  if (!nginx) {
    log('nginx not installed: only modmesh is measured');
    notes.push('nginx not installed: apt-get install nginx');
    const servers = { modmesh: { url: registry.url, pids: () => [registry.process.pid] } };
    const resolve = await measureEach(plan, ['modmesh'], servers, RESOLVE_PATH, log);
    const files = await measureEach(plan, ['modmesh'], servers, blobPath, log);
    notes.push(cpuNote(resolve, files));
    return { metrics: [resolveMetric(resolve), filesMetric(files)], notes };
  }

  // Same URL paths as the registry's, so each request differs only in the server answering it.
  const server = await startNginx({
    nginx,
    dir: path.join(dir, 'nginx'),
    files: { [RESOLVE_PATH]: resolveBody, [blobPath]: blobBytes },
    probePath: RESOLVE_PATH,
  });
  try {
    log(`nginx (pid ${server.pid}) on ${server.url}`);
    if (!(await fetchBytes(server.url + RESOLVE_PATH)).equals(resolveBody)) throw new Error('nginx does not serve the resolve answer the registry gave');
    const servers = { modmesh: { url: registry.url, pids: () => [registry.process.pid] }, nginx: { url: server.url, pids: () => server.workerPids() } };
    const resolve = await measureEach(plan, VARIANTS, servers, RESOLVE_PATH, log);
    const files = await measureEach(plan, VARIANTS, servers, blobPath, log);
    notes.push('nginx 1 worker (the registry is one Node process), sendfile on, access_log off, keep-alive unlimited', cpuNote(resolve, files));
    return {
      metrics: [
        { ...resolveMetric(resolve), ratio: ['modmesh', 'nginx'], aim: { on: 'ratio', min: 0.5, text: '≥ 0.5x nginx' } },
        { ...filesMetric(files), ratio: ['modmesh', 'nginx'], aim: { on: 'ratio', min: 0.5, text: '≥ 0.5x nginx' } },
      ],
      notes,
    };
  } finally {
    await server.stop();
  }
}

// --- internal ---

// The registry answers resolves from memory (its answer cache, dropped at every publish of its
// event hub), so its aim is set against nginx's (issue 18) where nginx runs beside it; run.mjs
// judges an aim without bounds as met, so the metric alone carries none.
function resolveMetric(runs) {
  return { name: `resolve auth@stable, ${CONNECTIONS} connections`, unit: 'req/s', variants: figures(runs, (run) => run.result.requests.average) };
}

function filesMetric(runs) {
  return {
    name: `largest release file, ${CONNECTIONS} connections`,
    unit: 'MB/s',
    variants: figures(runs, (run) => run.result.throughput.average / BYTES_PER_MB),
  };
}

function figures(runs, figure) {
  return Object.fromEntries(Object.entries(runs).map(([variant, list]) => [variant, list.map(figure)]));
}

// Which side a ratio measures: a server well under one core while autocannon is near one is
// limited by the load generator, not by itself. Node can pass 100%: its thread pool reads
// files and its GC runs on threads of their own.
function cpuNote(resolve, files) {
  const describe = (runs) =>
    Object.entries(runs)
      .map(([variant, list]) => `${variant} ${percent(list.map((run) => run.serverCpu))} (autocannon ${percent(list.map((run) => run.clientCpu))})`)
      .join(', ');
  return `CPU, median of the runs, % of one core: resolve ${describe(resolve)}; file ${describe(files)}`;
}

function percent(values) {
  if (values.some((value) => value === undefined)) return 'n/a';
  return `${(100 * stats(values).median).toFixed(0)}%`;
}

/** Warms each server up (JIT, page cache) off the record, then loads them in turn. */
async function measureEach(plan, variants, servers, urlPath, log) {
  if (plan.warmupSeconds) {
    for (const variant of variants) await load(servers[variant].url + urlPath, plan.warmupSeconds);
  }
  return alternate(plan.rounds, variants, async function measure(variant, round) {
    const pids = servers[variant].pids();
    const serverBefore = cpuSeconds(pids);
    const clientBefore = process.cpuUsage();
    const result = await load(servers[variant].url + urlPath, plan.seconds);
    const client = process.cpuUsage(clientBefore);
    const serverAfter = cpuSeconds(pids);
    const run = {
      result,
      serverCpu: serverBefore === undefined || serverAfter === undefined ? undefined : (serverAfter - serverBefore) / plan.seconds,
      clientCpu: (client.user + client.system) / 1e6 / plan.seconds,
    };
    log(
      `${urlPath.slice(0, 24)}… ${variant} round ${round + 1}: ${Math.round(result.requests.average)} req/s, ${(result.throughput.average / BYTES_PER_MB).toFixed(1)} MB/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, server CPU ${percent([run.serverCpu])}, autocannon CPU ${percent([run.clientCpu])}`,
    );
    return run;
  });
}

// User + system CPU seconds of the processes from /proc (Linux); undefined elsewhere.
function cpuSeconds(pids) {
  if (pids.length === 0) return undefined;
  try {
    return pids.reduce(function add(total, pid) {
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return total + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    }, 0);
  } catch {
    return undefined;
  }
}

// A run with failed or non-2xx responses measured something else than serving the bytes.
async function load(url, seconds) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts under load`);
  }
  return result;
}

async function fetchBytes(url) {
  const response = await fetch(url);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${bytes.toString('utf8', 0, 200)}`);
  return bytes;
}

function largestFile(dir) {
  const files = readdirSync(dir, { recursive: true })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
  return files.reduce((largest, file) => (statSync(file).size > statSync(largest).size ? file : largest));
}
