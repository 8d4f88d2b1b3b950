// A real registry process killed with SIGKILL at random points of publishes, again and again.
// After every restart: every publish the registry acknowledged is there, no partial release is
// visible, every stored blob matches its hash, and the stable tag and its audit log agree.
// MODMESH_CRASH_TRIALS sets how many kills (default 20; `npm run test:chaos` runs 300), and the
// counts go to the chaos summary table.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePublisherKeyPair, type ReleaseManifest, signRelease } from '@modmesh/manifest';
import { requireCompiled, type ServiceProcess, startService, stopAllServices } from '@modmesh/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { createTally, type Tally } from '../../chaos/src/tally.js';

const TRIALS = Number(process.env.MODMESH_CRASH_TRIALS ?? 20);
const cli = requireCompiled('packages/cli/bin/modmesh.js');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-crash-'));
const publisher = generatePublisherKeyPair();

afterAll(stopAllServices);

async function startRegistry(): Promise<{ process: ServiceProcess; admin: string }> {
  const process_ = await startService({ script: cli, args: ['registry', 'start', '--port', '0', '--data', dataDir], env: {} });
  return { process: process_, admin: readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim() };
}

async function call(base: string, token: string, method: string, route: string, body?: Buffer | object): Promise<Response> {
  return fetch(base + route, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json' },
    body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Six files of random bytes (new blobs every time) and the signed release over them. */
function makeRelease(version: string) {
  const files = new Map([
    ['remoteEntry.js', randomBytes(30_000)],
    ...Array.from({ length: 5 }, (_, i) => [`chunks/${i}.js`, randomBytes(20_000 + i * 40_000)] as const),
  ]);
  const manifest: ReleaseManifest = {
    schema: 'modmesh.release/v1',
    name: 'auth',
    version,
    files: [...files].map(([file, bytes]) => ({ path: file, size: bytes.length, sha256: sha256(bytes) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    containers: [{ target: 'node', name: 'auth', entry: 'remoteEntry.js', exposes: [], shared: [] }],
    build: { bundler: 'test', bundlerVersion: '1', createdAt: new Date().toISOString() },
  };
  return { files, signed: signRelease(manifest, publisher.privateKeyPem) };
}

async function publish(base: string, token: string, version: string): Promise<void> {
  const { files, signed } = makeRelease(version);
  await Promise.all([...files.values()].map((bytes) => call(base, token, 'PUT', `/v1/remotes/auth/blobs/${sha256(bytes)}`, bytes)));
  const response = await call(base, token, 'POST', '/v1/remotes/auth/releases', { ...signed, tag: 'stable' });
  if (response.status !== 201) throw new Error(`publish ${version}: ${response.status} ${await response.text()}`);
}

/** What earlier checks found intact: a release listed once must stay listed. */
interface Seen {
  versions: Set<string>;
  blobs: Set<string>;
}

// Releases and blobs checked intact once are checked again only this often (and after the last
// kill): stored files are never rewritten, and re-reading all of them after each of 300 kills
// would make the run quadratic. The listing, new releases and new files are checked every time.
const FULL_CHECK_EVERY = 25;

/**
 * Everything a user could notice being inconsistent, checked through the API and on disk:
 * counted in `tally` (a release or stored file gone or altered, or audit entries missing, as
 * data lost). Returns the versions the registry lists.
 */
async function checkConsistent(base: string, tally: Tally, after: string, seen: Seen, full: boolean): Promise<string[]> {
  const remote = (await (await fetch(`${base}/v1/remotes/auth`)).json()) as {
    versions: { version: string }[];
    tags: { tag: string; version: string; seq: number }[];
  };
  const versions = remote.versions.map((entry) => entry.version);
  const gone = [...seen.versions].filter((version) => !versions.includes(version));
  tally.lost(gone.length, `${after}: releases listed before are gone: ${gone.join(', ')}`);
  for (const version of versions) {
    if (!full && seen.versions.has(version)) continue;
    seen.versions.add(version);
    const { manifest } = (await (await fetch(`${base}/v1/remotes/auth/releases/${version}`)).json()) as { manifest: ReleaseManifest };
    for (const file of manifest.files) {
      const response = await fetch(`${base}/v1/blobs/${file.sha256}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const intact = response.status === 200 && bytes.length === file.size && sha256(bytes) === file.sha256;
      tally.lost(intact ? 0 : 1, `${after}: ${version} ${file.path} is served as HTTP ${response.status}, ${bytes.length} bytes, not as published`);
    }
  }
  const blobRoot = path.join(dataDir, 'blobs', 'sha256');
  for (const shard of readdirSync(blobRoot)) {
    for (const blob of readdirSync(path.join(blobRoot, shard))) {
      if (!full && seen.blobs.has(blob)) continue;
      seen.blobs.add(blob);
      tally.lost(sha256(readFileSync(path.join(blobRoot, shard, blob))) === blob ? 0 : 1, `${after}: stored blob ${blob} does not match its name`);
    }
  }
  const leftovers = readdirSync(path.join(dataDir, 'blobs', 'tmp'));
  tally.check(leftovers.length === 0, `${after}: partial uploads left after the restart: ${leftovers.join(', ')}`);

  const stable = remote.tags.find((tag) => tag.tag === 'stable');
  if (stable) {
    const { history } = (await (await fetch(`${base}/v1/remotes/auth/tags/stable/history?limit=1000`)).json()) as { history: { to: string }[] };
    tally.check(versions.includes(stable.version), `${after}: stable points at ${stable.version}, which is not listed`);
    tally.check(history[0]?.to === stable.version, `${after}: stable is at ${stable.version}, its last audited move to ${history[0]?.to}`);
    tally.lost(Math.max(0, stable.seq - history.length), `${after}: stable moved ${stable.seq} times, ${history.length} moves audited`);
    tally.check(history.length <= stable.seq, `${after}: ${history.length} audited moves for a tag moved ${stable.seq} times`);
  }
  return versions;
}

describe('a registry killed mid-publish', () => {
  it(`stays consistent over ${TRIALS} SIGKILLs at random points`, { timeout: 60_000 + TRIALS * 10_000 }, async () => {
    let registry = await startRegistry();
    expect((await call(registry.process.url, registry.admin, 'POST', '/v1/remotes/auth/keys', { publicKey: publisher.publicKey })).status).toBe(201);
    const { token } = (await (await call(registry.process.url, registry.admin, 'POST', '/v1/tokens', { remote: 'auth' })).json()) as { token: string };

    // How long one publish takes here, to spread the kills over it.
    const started = performance.now();
    await publish(registry.process.url, token, '0.0.1');
    const publishMs = performance.now() - started;

    const tally = createTally('registry SIGKILL mid-publish');
    tally.requests(1);
    const outcomes = { visible: 0, absent: 0 };
    const seen: Seen = { versions: new Set(), blobs: new Set() };
    for (let trial = 1; trial <= TRIALS; trial++) {
      const version = `1.0.${trial}`;
      tally.trial();
      tally.requests(1);
      let acknowledged = false;
      const inFlight = publish(registry.process.url, token, version).then(
        () => {
          acknowledged = true;
        },
        () => undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.random() * publishMs * 1.3));
      await registry.process.kill('SIGKILL');
      await inFlight;

      registry = await startRegistry();
      const full = trial % FULL_CHECK_EVERY === 0 || trial === TRIALS;
      const versions = await checkConsistent(registry.process.url, tally, `kill #${trial}`, seen, full);
      const visible = versions.includes(version);
      // A publish answered 201 before the kill was committed: it must survive the crash.
      tally.lost(acknowledged && !visible ? 1 : 0, `kill #${trial}: ${version} was acknowledged, and is gone after the restart`);
      outcomes[visible ? 'visible' : 'absent'] += 1;
    }
    tally.record();
    expect(tally.problems).toEqual([]);
    // Kills landed both before and after the commit point: the test exercised both sides.
    expect(outcomes.absent).toBeGreaterThan(0);
    expect(outcomes.visible + outcomes.absent).toBe(TRIALS);
    await registry.process.stop();
  });
});
