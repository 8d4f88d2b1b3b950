// The source documents' stock webpack host with the modmesh runtime plugin, given a root of trust
// (MODMESH_ROOT) instead of publisher keys: the auth release it runs is the one the mover-signed
// tag names, published and moved with the CLI in root mode, and the registry's own word counts for
// nothing. The same rule as every Node host decides what it trusts (a root or keys, never both).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { authEnv, freePort, repoRoot, requestJson, runScript, type ServiceProcess, startService, stopAllServices } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AttackWorld, createAttackWorld, type KeyFiles } from './tuf-attacks/world.js';

const HOST_DIR = path.join(repoRoot, 'examples/stock-user-service');
let world: AttackWorld & { close(): Promise<void> };
let token: string;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [path.join(HOST_DIR, 'scripts/build.js')], { cwd: HOST_DIR });
  world = await createAttackWorld();
  const key = (name: string) => (world.keys[name] as KeyFiles).key;
  for (const version of ['1.0.0', '1.1.0']) {
    await world.ok(['publish', inject('authBuild').remoteDir, '--name', 'auth', '--version', version, '--key', key('auth-publisher')]);
  }
  await world.tagSet('auth', 'stable', '1.0.0');
  const auth = await startService({
    script: path.join(repoRoot, 'examples/auth-service/dist/server/main.js'),
    env: { ...authEnv(inject('authBuild')), PORT: '0' },
  });
  token = (await requestJson<{ token: string }>(`${auth.url}/login`, { method: 'POST', json: { username: 'alice', password: 'wonderland' } })).body.token;
}, 240_000);

afterAll(async () => {
  await stopAllServices();
  await world?.close();
});

describe('the stock host with the runtime plugin, trusting a root', () => {
  it('guards /profile with the release the signed tag names, and keeps the verified metadata in its cache', async () => {
    const cacheDir = path.join(world.work, 'stock-cache');
    const host = await startHost({ MODMESH_ROOT: world.rootFile, MODMESH_CACHE_DIR: cacheDir });
    expect((await profile(host.url)).status).toBe(401);
    expect((await profile(host.url, 'Bearer not-a-token')).status).toBe(403);
    const ok = await profile(host.url, `Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(ok.body.user?.username).toBe('alice');
    expect(existsSync(path.join(cacheDir, 'trust', 'set.json'))).toBe(true);
    expect(host.service.logs).toContainEqual(expect.objectContaining({ remote: 'auth', version: '1.0.0' }));
  });

  it('follows a signed tag move without a restart', async () => {
    const host = await startHost({ MODMESH_ROOT: world.rootFile, MODMESH_CACHE_DIR: path.join(world.work, 'stock-cache-2') });
    expect((await profile(host.url, `Bearer ${token}`)).status).toBe(200);
    await world.tagSet('auth', 'stable', '1.1.0');
    await host.service.waitForLog((line) => line.remote === 'auth' && line.to === '1.1.0' && /swapped/.test(line.msg ?? ''), 30_000);
    expect((await profile(host.url, `Bearer ${token}`)).status).toBe(200);
  });

  it('refuses to start with both a root and publisher keys, naming both', async () => {
    const result = await runScript({
      script: path.join(HOST_DIR, 'dist/main.js'),
      cwd: world.work,
      env: {
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        MODMESH_REGISTRY: world.registry.url,
        MODMESH_ROOT: world.rootFile,
        MODMESH_TRUST_AUTH: readFileSync((world.keys['auth-publisher'] as KeyFiles).pub, 'utf8').trim(),
      },
      deadlineMs: 30_000,
    });
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/MODMESH_CONFIG_INVALID[\s\S]*MODMESH_ROOT is set, and so is MODMESH_TRUST_AUTH/);
  });
});

// --- internal ---

async function startHost(env: Record<string, string>): Promise<{ service: ServiceProcess; url: string }> {
  const port = await freePort();
  const service = await startService({
    script: path.join(HOST_DIR, 'dist/main.js'),
    cwd: world.work,
    env: { PORT: String(port), HOST: '127.0.0.1', MODMESH_REGISTRY: world.registry.url, MODMESH_TRUST_AUTH: undefined, ...env },
    readyLine: /User Service running on port/,
  });
  return { service, url: `http://127.0.0.1:${port}` };
}

async function profile(url: string, authorization?: string) {
  return requestJson<{ user?: { username: string } }>(`${url}/profile`, { headers: authorization === undefined ? {} : { authorization } });
}
