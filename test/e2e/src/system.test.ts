// The seeds' system on modmesh, as real processes on ephemeral loopback ports: a registry, the
// auth service's build published to it with the CLI (signed), the auth service issuing tokens,
// and the user service running the validator it verified from the registry.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  authEnv,
  pollUntil,
  requestJson,
  requireCompiled,
  runScript,
  type ServiceProcess,
  startService,
  startSilentServer,
  startStaticServer,
  stopAllServices,
} from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const authBuild = inject('authBuild');
const authBuildRspack = inject('authBuildRspack');
const cli = requireCompiled('packages/cli/bin/modmesh.js');
const authScript = requireCompiled('examples/auth-service/dist/server/main.js');
const userScript = requireCompiled('examples/user-service/dist/main.js');
const DEADLINE_MS = 1500;
const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-system-'));
const dataDir = path.join(work, 'registry');

type ErrorBody = { error: { code: string; message: string; cause?: { code: string; message: string; cause?: { code: string } } } };
type Health = {
  validator: { version: string | null };
  remotes: Record<string, { version?: string; source?: string; evaluated: string[] }>;
  shared: Record<string, { version: string; from: string; loaded: boolean; usedBy: string[] }[]>;
};

let registry: ServiceProcess;
let admin: string;
let publicKey: string;

async function modmesh(args: string[], token = admin): Promise<string> {
  const result = await runScript({ script: cli, args, env: { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: token } });
  if (result.code !== 0) throw new Error(`modmesh ${args.join(' ')}: ${result.code}\n${result.stderr}`);
  return result.stdout;
}

function startRegistry(): Promise<ServiceProcess> {
  return startService({ script: cli, args: ['registry', 'start', '--port', '0', '--data', dataDir], env: {} });
}

function startUser(env: Record<string, string> = {}, cwd?: string): Promise<ServiceProcess> {
  return startService({
    script: userScript,
    cwd,
    env: {
      PORT: '0',
      MODMESH_REGISTRY: registry.url,
      MODMESH_TRUST_AUTH: publicKey,
      MODMESH_CACHE_DIR: path.join(work, `cache-${randomBytes(4).toString('hex')}`),
      AUTH_DEADLINE_MS: String(DEADLINE_MS),
      ...env,
    },
  });
}

async function login(auth: ServiceProcess): Promise<string> {
  const { status, body } = await requestJson<{ token: string }>(`${auth.url}/login`, { method: 'POST', json: { username: 'alice', password: 'wonderland' } });
  expect(status).toBe(200);
  return body.token;
}

function profile(user: ServiceProcess, authorization?: string) {
  return requestJson<ErrorBody & { message: string; user: { username: string } }>(`${user.url}/profile`, {
    headers: authorization === undefined ? {} : { authorization },
    deadlineMs: DEADLINE_MS * 4,
  });
}

const health = async (user: ServiceProcess) => (await requestJson<Health>(`${user.url}/health`)).body;

beforeAll(async () => {
  registry = await startRegistry();
  admin = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  await modmesh(['keys', 'generate', '--out', path.join(work, 'keys'), '--name', 'auth']);
  publicKey = readFileSync(path.join(work, 'keys', 'auth.pub'), 'utf8').trim();
  await modmesh(['trust', 'add', 'auth', path.join(work, 'keys', 'auth.pub')]);
  const { token } = JSON.parse(await modmesh(['token', 'create', '--remote', 'auth', '--json']));
  await modmesh(
    ['publish', authBuild.remoteDir, '--name', 'auth', '--version', '1.0.0', '--tag', 'stable', '--key', path.join(work, 'keys', 'auth.key')],
    token,
  );
});
afterAll(stopAllServices);

describe('the seeds’ system on modmesh', () => {
  let auth: ServiceProcess;
  let user: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    auth = await startService({ script: authScript, env: { ...authEnv(authBuild), PORT: '0' } });
    user = await startUser();
    token = await login(auth);
  });

  it('logs alice in and refuses a wrong password with a JSON error', async () => {
    expect(token.split('.')).toHaveLength(3);
    const wrong = await requestJson<ErrorBody>(`${auth.url}/login`, { method: 'POST', json: { username: 'alice', password: 'looking-glass' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'AUTH_INVALID_CREDENTIALS']);
  });

  it('serves /profile to a valid token: 200, and 401 / 401 / 403 otherwise', async () => {
    const ok = await profile(user, `Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(ok.body.message).toBe('Welcome alice! This is your profile.');
    expect(ok.body.user).toMatchObject({ username: 'alice', sub: 'user-1', iss: 'modmesh-example-auth', aud: 'modmesh-example-api' });

    const noHeader = await profile(user);
    expect([noHeader.status, noHeader.body.error.code]).toEqual([401, 'AUTH_HEADER_MISSING']);
    const noToken = await profile(user, 'Bearer');
    expect([noToken.status, noToken.body.error.code]).toEqual([401, 'AUTH_TOKEN_MISSING']);
    const [header, payload] = token.split('.');
    const forged = await profile(user, `Bearer ${header}.${payload}.${randomBytes(64).toString('base64url')}`);
    expect([forged.status, forged.body.error.code, forged.body.error.message]).toEqual([403, 'AUTH_TOKEN_INVALID', 'Invalid token: invalid signature']);
  });

  it('runs the validator it verified from the registry, and its own build holds no validator code', async () => {
    const state = await health(user);
    expect(state.validator.version).toBe('1.0.0');
    expect(state.remotes.auth).toMatchObject({ version: '1.0.0', source: 'registry' });
    const consumers = await pollUntil('the registry lists the user service', async () => {
      const { body } = await requestJson<{ consumers: { service: string; remotes: { version: string }[] }[] }>(`${registry.url}/v1/remotes/auth/consumers`);
      return body.consumers.find((consumer) => consumer.service === 'user-service');
    });
    expect(consumers.remotes).toEqual([expect.objectContaining({ name: 'auth', version: '1.0.0' })]);

    const userDist = path.dirname(userScript);
    const built = readdirSync(userDist)
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(path.join(userDist, file), 'utf8'))
      .join('\n');
    for (const validatorCode of ['createTokenValidator', 'token is signed by an unknown key', 'algorithms: ALGORITHMS'])
      expect(built).not.toContain(validatorCode);
  });

  it('shares one jsonwebtoken, the host’s: the remote used it and never ran its own copy', async () => {
    const state = await health(user);
    expect(state.shared.jsonwebtoken).toEqual([{ version: expect.any(String), from: 'user_service', loaded: true, usedBy: ['auth'] }]);
    expect(state.shared.express).toEqual([expect.objectContaining({ from: 'user_service' })]);
    expect(state.remotes.auth?.evaluated).toEqual(['remoteEntry.js', expect.stringMatching(/^__federation_expose_tokenValidator\./)]);
  });

  it('swaps to a new release when stable moves, without a restart, and back on rollback', async () => {
    const { token: publishToken } = JSON.parse(await modmesh(['token', 'create', '--remote', 'auth', '--json']));
    await modmesh(['publish', authBuildRspack.remoteDir, '--name', 'auth', '--version', '1.1.0', '--key', path.join(work, 'keys', 'auth.key')], publishToken);
    await modmesh(['tag', 'set', 'auth', 'stable', '1.1.0']);
    await pollUntil('the user service runs 1.1.0', async () => ((await health(user)).validator.version === '1.1.0' ? true : undefined));
    expect((await profile(user, `Bearer ${token}`)).status).toBe(200);

    await modmesh(['rollback', 'auth', 'stable']);
    await pollUntil('the user service is back on 1.0.0', async () => ((await health(user)).validator.version === '1.0.0' ? true : undefined));
    expect((await profile(user, `Bearer ${token}`)).status).toBe(200);
  });

  it('keeps serving when the registry and the auth service go down, and boots from its cache while they are', async () => {
    const cacheDir = path.join(work, 'cache-restart');
    const first = await startUser({ MODMESH_CACHE_DIR: cacheDir });
    expect((await profile(first, `Bearer ${token}`)).status).toBe(200);
    await registry.stop();
    await auth.stop();
    expect((await profile(user, `Bearer ${token}`)).status).toBe(200);
    await first.stop();

    const restarted = await startUser({ MODMESH_CACHE_DIR: cacheDir });
    expect((await profile(restarted, `Bearer ${token}`)).status).toBe(200);
    expect((await health(restarted)).remotes.auth).toMatchObject({ version: '1.0.0', source: 'cache' });
    await restarted.waitForLog((line) => line.code === 'MODMESH_BOOTED_FROM_CACHE');
    await restarted.stop();
    registry = await startRegistry();
  });
});

describe('faults', () => {
  it('registry down at start with a cold cache: /health 200, /profile a coded 503; once it is back, 200 without a restart', async () => {
    const port = new URL(registry.url).port;
    await registry.stop();
    const user = await startUser({ MODMESH_REGISTRY: `http://127.0.0.1:${port}` });
    expect((await requestJson(`${user.url}/health`)).status).toBe(200);
    const down = await profile(user, 'Bearer some.token.here');
    expect([down.status, down.body.error.code]).toEqual([503, 'MODMESH_REMOTE_UNAVAILABLE']);
    await user.waitForLog((line) => line.code === 'MODMESH_REMOTE_UNREACHABLE');

    registry = await startService({ script: cli, args: ['registry', 'start', '--port', port, '--data', dataDir], env: {} });
    const auth = await startService({ script: authScript, env: { ...authEnv(authBuild), PORT: '0' } });
    const token = await login(auth);
    const back = await pollUntil('the user service serves /profile again', async () => {
      const response = await profile(user, `Bearer ${token}`);
      return response.status === 200 ? response : undefined;
    });
    expect(back.body.message).toBe('Welcome alice! This is your profile.');
    await Promise.all([auth.stop(), user.stop()]);
  });

  it('a registry that accepts the connection and never answers: 503 within the deadline, no hang', async () => {
    const silent = await startSilentServer();
    const user = await startUser({ MODMESH_REGISTRY: silent.url });
    const response = await profile(user, 'Bearer some.token.here');
    expect([response.status, response.body.error.code]).toEqual([503, 'MODMESH_REMOTE_UNAVAILABLE']);
    await user.stop();
    await silent.close();
  });

  it('a "registry" answering 404 pages or HTML: coded errors, and nothing it sent is evaluated', async () => {
    const marker = path.join(work, 'evaluated-marker');
    const payload = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'evaluated');`;
    // Two servers where the registry should be (a registry URL is an origin, with no path).
    const hostile = {
      'not-found': await startStaticServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end(payload)),
      html: await startStaticServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(payload)),
    };
    for (const [kind, code] of [
      ['not-found', 'MODMESH_REMOTE_BAD_STATUS'],
      ['html', 'MODMESH_REMOTE_BAD_CONTENT_TYPE'],
    ] as const) {
      const user = await startUser({ MODMESH_REGISTRY: hostile[kind].url });
      expect((await profile(user, 'Bearer some.token.here')).status).toBe(503);
      await user.waitForLog((line) => line.code === code);
      await user.stop();
    }
    expect(() => readFileSync(marker)).toThrow(/ENOENT/);
    await Promise.all(Object.values(hostile).map((server) => server.close()));
  });

  it('a chunk planted in the host’s working directory is never run in place of the remote’s', async () => {
    const cwd = path.join(work, 'planted-cwd');
    mkdirSync(cwd, { recursive: true });
    const marker = path.join(cwd, 'planted-chunk-ran');
    const mf = JSON.parse(readFileSync(path.join(authBuild.remoteDir, 'mf-manifest.json'), 'utf8'));
    writeFileSync(path.join(cwd, mf.exposes[0].assets.js.sync[0]), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');`);
    const auth = await startService({ script: authScript, env: { ...authEnv(authBuild), PORT: '0' } });
    const user = await startUser({}, cwd);
    expect((await profile(user, `Bearer ${await login(auth)}`)).status).toBe(200);
    expect(() => readFileSync(marker)).toThrow(/ENOENT/);
    await Promise.all([auth.stop(), user.stop()]);
  });
});
