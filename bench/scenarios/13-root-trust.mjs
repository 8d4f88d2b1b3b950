// What a root of trust costs a Node host (design 16 §5 item 18): the same host process
// (hosts/trust-host.mjs, following auth@stable) against the same registry in root mode, trusting
//   root  the TUF root: timestamp, snapshot, targets, auth's roles and the release document
//         fetched and verified before anything runs, a tag move followed from `tuf.updated`;
//   keys  the auth publisher's key: the registry's resolve answer, its signature checked, a tag
//         move followed from `tag.moved`.
// Each round, for each variant: a cold start (empty cache dir) to the validator loaded, a tag
// move to that host serving the other release, then a warm start on the cache the first start
// filled. The host talks to the registry through a counting proxy here, which also stamps when
// the move's event passes by: swap latency is from that event to the host's "swapped" log line.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { alternate, authKey, buildAuth, cliScript, modmesh, root, startProcess, waitForLine, workDir } from '../lib.mjs';

export const title = 'Root of trust vs per-remote keys';

const VARIANTS = ['root', 'keys'];
const ROUNDS = { full: 10, quick: 1 };
const BUNDLER = { full: 'webpack', quick: 'rspack' };
const VERSIONS = ['1.0.0', '1.1.0'];
const hostScript = path.join(root, 'bench/hosts/trust-host.mjs');
const SWAP_DEADLINE_MS = 30_000;

export async function run({ quick, log }) {
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const dir = workDir('root-trust');
  const privateKeyPem = authKey();
  const registry = await startRootRegistry(dir);
  // Two builds with different bytes (another issuer baked in), so each move is a real swap.
  VERSIONS.forEach((version, index) => {
    const outDir = path.join(dir, `build-${version}`);
    buildAuth({ outDir, privateKeyPem, bundler: quick ? BUNDLER.quick : BUNDLER.full, issuer: `bench-${index}` });
    registry.publish(outDir, version, index === 0 ? 'stable' : undefined);
  });
  const proxy = await startCountingProxy(registry.url);
  let current = VERSIONS[0];

  const env = {
    root: { MODMESH_ROOT: registry.rootFile },
    keys: { MODMESH_TRUST_AUTH: registry.publisherKey },
  };
  const start = async (variant, cacheDir) => {
    const from = proxy.requests.length;
    const startedAt = performance.now();
    const host = await startProcess(hostScript, { env: { MODMESH_REGISTRY: proxy.url, MODMESH_CACHE_DIR: cacheDir, ...env[variant] } });
    const ms = performance.now() - startedAt;
    return { host, ms, requests: proxy.requests.slice(from).filter((request) => !request.path.startsWith('/v1/events')) };
  };

  const figures = { cold: {}, warm: {}, swap: {}, coldRequests: {}, warmRequests: {}, swapRequests: {} };
  for (const figure of Object.values(figures)) for (const variant of VARIANTS) figure[variant] = [];
  let example;
  await alternate(rounds, VARIANTS, async function round(variant, index) {
    const cacheDir = path.join(dir, `cache-${variant}-${index}`);
    const cold = await start(variant, cacheDir);
    figures.cold[variant].push(cold.ms);
    figures.coldRequests[variant].push(cold.requests.length);

    // A tag move (a rollback on the way back, which root mode needs signed as such).
    const to = VERSIONS.find((version) => version !== current);
    const movedAt = Date.now();
    registry.moveStable(to, to < current);
    current = to;
    const swapped = await waitForLine(cold.host, (line) => line.to === to && String(line.msg).includes('swapped'), SWAP_DEADLINE_MS);
    const eventAt = proxy.events.find((event) => event.at >= movedAt && /tuf\.updated|tag\.moved/.test(event.text))?.at;
    if (eventAt === undefined) throw new Error(`${variant}: the move to ${to} passed no event through the proxy`);
    const swappedAt = Date.parse(swapped.time);
    figures.swap[variant].push(swappedAt - eventAt);
    const swapRequests = proxy.requests.filter((request) => request.at >= eventAt && request.at <= swappedAt + 1 && !request.path.startsWith('/v1/events'));
    figures.swapRequests[variant].push(swapRequests.length);
    await cold.host.stop();

    const warm = await start(variant, cacheDir);
    figures.warm[variant].push(warm.ms);
    figures.warmRequests[variant].push(warm.requests.length);
    await warm.host.stop();
    if (index === 0) example = { ...example, [variant]: { cold: paths(cold.requests), swap: paths(swapRequests), warm: paths(warm.requests) } };
    log(
      `round ${index + 1}/${rounds} ${variant}: cold ${cold.ms.toFixed(0)} ms (${cold.requests.length} requests), swap ${swappedAt - eventAt} ms (${swapRequests.length}), warm ${warm.ms.toFixed(0)} ms (${warm.requests.length})`,
    );
  });
  await proxy.close();
  await registry.stop();

  const metric = (name, unit, variants) => ({ name, unit, variants, ratio: ['root', 'keys'] });
  return {
    metrics: [
      metric('cold start: process start to auth/tokenValidator loaded, empty cache', 'ms', figures.cold),
      metric('warm start: the same on the cache the cold start filled', 'ms', figures.warm),
      metric('swap: the move’s event at the host to the host serving the other release', 'ms', figures.swap),
      metric('requests to the registry during a cold start (event stream not counted)', 'requests', figures.coldRequests),
      metric('requests during a warm start', 'requests', figures.warmRequests),
      metric('requests during a swap', 'requests', figures.swapRequests),
    ],
    notes: [
      'one registry in root mode (root 1-of-1, auth delegated to a publisher and a mover key) serves both variants; each release is published signed (auth.releases) and with the legacy envelope, so both hosts follow the same tag moves',
      `requests in round 1: ${JSON.stringify(example)}`,
    ],
  };
}

// --- internal ---

// A registry in root mode with auth delegated, set up through the CLI as its users do.
async function startRootRegistry(dir) {
  const dataDir = path.join(dir, 'registry');
  const keys = path.join(dir, 'keys');
  const trust = path.join(dir, 'trust');
  const registry = await startProcess(cliScript, { args: ['registry', 'start', '--port', '0', '--data', dataDir], env: { MODMESH_LOG_LEVEL: 'warn' } });
  const admin = { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim() };
  for (const name of ['root', 'publisher', 'mover']) modmesh(['keys', 'generate', '--out', keys, '--name', name], admin);
  const online = JSON.parse(modmesh(['registry', 'online-key', 'print', '--data', dataDir, '--json'], admin)).keys[0].publicKey;
  const key = (name, ext) => path.join(keys, `${name}.${ext}`);
  modmesh(['root', 'create', '--root-key', key('root', 'pub'), '--threshold', '1', '--online-key', online, '--dir', trust], admin);
  modmesh(['root', 'add-remote', 'auth', '--publisher', key('publisher', 'pub'), '--mover', key('mover', 'pub'), '--dir', trust], admin);
  for (const file of ['1.root.json', '2.targets.json']) modmesh(['root', 'sign', path.join(trust, file), '--key', key('root', 'key')], admin);
  modmesh(['root', 'push', '--dir', trust], admin);
  const publishToken = JSON.parse(modmesh(['token', 'create', '--remote', 'auth', '--json'], admin)).token;
  const rootFile = path.join(trust, '1.root.json');
  const publisher = { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: publishToken, MODMESH_ROOT: rootFile };
  return {
    url: registry.url,
    rootFile,
    publisherKey: readFileSync(key('publisher', 'pub'), 'utf8').trim(),
    publish(remoteDir, version, tag) {
      const tagging = tag ? ['--tag', tag, '--mover-key', key('mover', 'key')] : [];
      modmesh(['publish', remoteDir, '--name', 'auth', '--version', version, '--key', key('publisher', 'key'), ...tagging], publisher);
    },
    moveStable(version, rollback) {
      modmesh(['tag', 'set', 'auth', 'stable', version, '--key', key('mover', 'key'), ...(rollback ? ['--rollback'] : [])], publisher);
    },
    stop: () => registry.stop(),
  };
}

// A pass-through proxy that notes every request (when, what) and every chunk of the event stream.
function startCountingProxy(upstream) {
  const requests = [];
  const events = [];
  const server = http.createServer((req, res) => {
    const isEvents = req.url.startsWith('/v1/events');
    requests.push({ at: Date.now(), method: req.method, path: req.url });
    const target = new URL(req.url, upstream);
    const forward = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (isEvents) answer.on('data', (chunk) => events.push({ at: Date.now(), text: chunk.toString('utf8') }));
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        events,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function paths(requests) {
  return requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f]{64}/g, '<sha256>')}`);
}
