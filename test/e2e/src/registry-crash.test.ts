// A real registry process killed with SIGKILL at random points of publishes, again and again.
// After every restart: no partial release is visible, every stored blob matches its hash, and
// the stable tag and its audit log agree. MODMESH_CRASH_TRIALS sets how many kills (default 20).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePublisherKeyPair, type ReleaseManifest, signRelease } from '@modmesh/manifest';
import { requireCompiled, type ServiceProcess, startService, stopAllServices } from '@modmesh/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

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

/** Everything a user could notice being inconsistent, checked through the API and on disk. */
async function checkConsistent(base: string): Promise<string[]> {
  const remote = (await (await fetch(`${base}/v1/remotes/auth`)).json()) as {
    versions: { version: string }[];
    tags: { tag: string; version: string; seq: number }[];
  };
  const versions = remote.versions.map((entry) => entry.version);
  for (const version of versions) {
    const { manifest } = (await (await fetch(`${base}/v1/remotes/auth/releases/${version}`)).json()) as { manifest: ReleaseManifest };
    for (const file of manifest.files) {
      const response = await fetch(`${base}/v1/blobs/${file.sha256}`);
      expect(response.status, `${version} ${file.path}`).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.length).toBe(file.size);
      expect(sha256(bytes)).toBe(file.sha256);
    }
  }
  const blobRoot = path.join(dataDir, 'blobs', 'sha256');
  for (const shard of readdirSync(blobRoot)) {
    for (const blob of readdirSync(path.join(blobRoot, shard))) expect(sha256(readFileSync(path.join(blobRoot, shard, blob))), blob).toBe(blob);
  }
  expect(readdirSync(path.join(dataDir, 'blobs', 'tmp'))).toEqual([]);

  const stable = remote.tags.find((tag) => tag.tag === 'stable');
  if (stable) {
    const { history } = (await (await fetch(`${base}/v1/remotes/auth/tags/stable/history?limit=1000`)).json()) as { history: { to: string }[] };
    expect(versions).toContain(stable.version);
    expect(history[0]?.to).toBe(stable.version);
    expect(history).toHaveLength(stable.seq);
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

    const outcomes = { visible: 0, absent: 0 };
    for (let trial = 1; trial <= TRIALS; trial++) {
      const version = `1.0.${trial}`;
      const inFlight = publish(registry.process.url, token, version).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * publishMs * 1.3));
      await registry.process.kill('SIGKILL');
      await inFlight;

      registry = await startRegistry();
      const versions = await checkConsistent(registry.process.url);
      outcomes[versions.includes(version) ? 'visible' : 'absent'] += 1;
    }
    // Kills landed both before and after the commit point: the test exercised both sides.
    expect(outcomes.absent).toBeGreaterThan(0);
    expect(outcomes.visible + outcomes.absent).toBe(TRIALS);
    await registry.process.stop();
  });
});
