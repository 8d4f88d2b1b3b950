// The source documents' User Service as they show it, a stock webpack Module Federation host
// (`remotes`, `require('authServiceRemote/tokenValidator')` at the top of its code), with the
// modmesh runtime plugin added to its config: the auth release comes from the registry,
// verified, cached, and swapped live; nothing the registry serves runs unless it is signed.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  authEnv,
  buildAuthRemote,
  type CliPublisher,
  type CliRegistry,
  freePort,
  pollUntil,
  repoRoot,
  requestJson,
  type ServiceProcess,
  startCliRegistry,
  startService,
  stopAllServices,
} from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const HOST_DIR = path.join(repoRoot, 'examples/stock-user-service');
const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-stock-host-'));
const cacheDir = path.join(work, 'host-cache');
let registry: CliRegistry;
let publisher: CliPublisher;
let auth: ServiceProcess;
let token: string;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [path.join(HOST_DIR, 'scripts/build.js')], { cwd: HOST_DIR });
  registry = await startCliRegistry(work);
  publisher = await registry.addPublisher('auth');
  const published = await publisher.publish(inject('authBuild').remoteDir, '1.0.0', '--tag', 'stable');
  expect(published.code, published.stderr).toBe(0);
  auth = await startService({ script: path.join(repoRoot, 'examples/auth-service/dist/server/main.js'), env: { ...authEnv(inject('authBuild')), PORT: '0' } });
  const login = await requestJson<{ token: string }>(`${auth.url}/login`, { method: 'POST', json: { username: 'alice', password: 'wonderland' } });
  token = login.body.token;
}, 180_000);

afterAll(async () => {
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

/** The stock host's own process, with what the plugin reads from the environment. */
async function startHost(registryUrl = registry.url, script = path.join(HOST_DIR, 'dist/main.js')): Promise<{ service: ServiceProcess; url: string }> {
  const port = await freePort();
  const service = await startService({
    script,
    cwd: work,
    env: { PORT: String(port), HOST: '127.0.0.1', MODMESH_REGISTRY: registryUrl, MODMESH_TRUST_AUTH: publisherKey(), MODMESH_CACHE_DIR: cacheDir },
    readyLine: /User Service running on port/,
  });
  return { service, url: `http://127.0.0.1:${port}` };
}

function publisherKey(): string {
  return publisher.publicKey;
}

async function profile(url: string, authorization?: string) {
  return requestJson<{ user?: { username: string } }>(`${url}/profile`, { headers: authorization === undefined ? {} : { authorization } });
}

describe('the documents’ stock webpack host, with the modmesh runtime plugin', () => {
  let host: { service: ServiceProcess; url: string };

  it('guards /profile with the verified validator: 401, 401, 403, 200', async () => {
    host = await startHost();
    expect((await profile(host.url)).status).toBe(401);
    expect((await profile(host.url, 'Bearer')).status).toBe(401);
    expect((await profile(host.url, 'Bearer not.a.token')).status).toBe(403);
    const ok = await profile(host.url, `Bearer ${token}`);
    expect([ok.status, ok.body.user?.username]).toEqual([200, 'alice']);
    await host.service.waitForLog((line) => line.msg === 'auth: running 1.0.0');
  });

  it('refuses a release whose file was altered on the registry: nothing of it runs, and the host keeps serving', async () => {
    const altered = (await buildAuthRemote(path.join(work, 'altered'), { privateKeyPem: inject('authBuild').privateKeyPem })).remoteDir;
    const marker = path.join(work, 'altered-ran');
    // Different bytes from 1.0.0 (a comment), so the release has files of its own to alter.
    const entry = path.join(altered, 'remoteEntry.js');
    writeFileSync(entry, `${await readText(entry)}\n// 1.1.0\n`);
    expect((await publisher.publish(altered, '1.1.0')).code).toBe(0);
    const blobs = path.join(work, 'registry', 'blobs', 'sha256');
    const entryHash = await sha256Of(entry);
    const stored = readdirSync(blobs)
      .map((shard) => path.join(blobs, shard, entryHash))
      .find((file) => existsSync(file));
    expect(stored).toBeDefined();
    writeFileSync(stored as string, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');`);
    expect((await registry.modmesh(['tag', 'set', 'auth', 'stable', '1.1.0'], adminEnv())).code).toBe(0);

    await host.service.waitForLog((line) => line.code === 'MODMESH_SWAP_REFUSED' && line.cause === 'MODMESH_HASH_MISMATCH');
    expect(existsSync(marker)).toBe(false);
    expect((await profile(host.url, `Bearer ${token}`)).status).toBe(200);
  });

  it('picks up a tag move without a restart: the top-level require reaches the new release', async () => {
    // A validator that trusts another signing key: alice's token is then refused, which only the
    // new release's code would do.
    const rotated = (await buildAuthRemote(path.join(work, 'rotated'))).remoteDir;
    expect((await publisher.publish(rotated, '1.2.0')).code).toBe(0);
    expect((await registry.modmesh(['tag', 'set', 'auth', 'stable', '1.2.0'], adminEnv())).code).toBe(0);
    await host.service.waitForLog((line) => line.msg === 'auth: swapped 1.0.0 -> 1.2.0');
    const refused = await profile(host.url, `Bearer ${token}`);
    expect(refused.status).toBe(403);
    await host.service.stop();
  });

  it('boots from its verified cache when the registry is down at restart', async () => {
    const down = await freePort();
    host = await startHost(`http://127.0.0.1:${down}`);
    await host.service.waitForLog((line) => line.code === 'MODMESH_BOOTED_FROM_CACHE');
    await pollUntil('the cached 1.2.0 answers', async () => ((await profile(host.url, `Bearer ${token}`)).status === 403 ? true : undefined));
    expect((await profile(host.url)).status).toBe(401);
    await host.service.stop();
  });
});

describe('the same host built by rspack, from the same Module Federation options', () => {
  it('guards /profile with the verified validator: 401, 401, 403, 200', async () => {
    // Built where the example's own builds go, so its externals resolve from the repository.
    const out = path.join(HOST_DIR, 'dist/rspack');
    await buildWithRspack(out);
    const host = await startHost(registry.url, path.join(out, 'main.js'));
    expect((await profile(host.url)).status).toBe(401);
    expect((await profile(host.url, 'Bearer')).status).toBe(401);
    expect((await profile(host.url, 'Bearer not.a.token')).status).toBe(403);
    await host.service.waitForLog((line) => typeof line.msg === 'string' && /^auth: running /.test(line.msg));
    await host.service.stop();
  });
});

// --- internal ---

// The example's rspack build (scripts/build-rspack.js: the same federation.config.js), as its
// own process like the webpack one.
async function buildWithRspack(outDir: string): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(HOST_DIR, 'scripts/build-rspack.js'), outDir], { cwd: HOST_DIR });
}

function adminEnv(): Record<string, string> {
  return { MODMESH_TOKEN: readFileSync(path.join(work, 'registry', 'admin-token'), 'utf8').trim() };
}

async function readText(file: string): Promise<string> {
  return readFileSync(file, 'utf8');
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
