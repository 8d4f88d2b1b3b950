// The seeds' system, built and run as real processes on ephemeral loopback ports: the user
// service loads the auth service's token validator over HTTP and guards /profile with it.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  authEnv,
  freePort,
  pollUntil,
  requestJson,
  requireCompiled,
  type ServiceProcess,
  startService,
  startSilentServer,
  startStaticServer,
  stopAllServices,
} from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const authBuild = inject('authBuild');
const authScript = requireCompiled('examples/auth-service/dist/server/main.js');
const userScript = requireCompiled('examples/user-service/dist/main.js');
const DEADLINE_MS = 1500;

type ErrorBody = { error: { code: string; message: string; cause?: { code: string; message: string } } };

function startAuth(port = 0): Promise<ServiceProcess> {
  return startService({ script: authScript, env: { ...authEnv(authBuild), PORT: String(port) } });
}

function startUser(remoteEntryUrl: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService({ script: userScript, env: { PORT: '0', AUTH_REMOTE_URL: remoteEntryUrl, AUTH_DEADLINE_MS: String(DEADLINE_MS), ...env } });
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

afterAll(stopAllServices);

describe('the seeds’ system, end to end', () => {
  let auth: ServiceProcess;
  let user: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    auth = await startAuth();
    user = await startUser(`${auth.url}/remoteEntry.js`);
    token = await login(auth);
  });

  it('logs alice in and refuses a wrong password with a JSON error', async () => {
    expect(token.split('.')).toHaveLength(3);
    const wrong = await requestJson<ErrorBody>(`${auth.url}/login`, { method: 'POST', json: { username: 'alice', password: 'looking-glass' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('AUTH_INVALID_CREDENTIALS');
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
    const forgedSignature = randomBytes(64).toString('base64url');
    const forged = await profile(user, `Bearer ${header}.${payload}.${forgedSignature}`);
    expect([forged.status, forged.body.error.code]).toEqual([403, 'AUTH_TOKEN_INVALID']);
    expect(forged.body.error.message).toBe('Invalid token: invalid signature');
  });

  it('got the validator over HTTP: the auth service served remoteEntry.js, and the user service build has no validator code', async () => {
    const served = auth.logs.filter((line) => line.msg === 'request' && line.status === 200).map((line) => line.path);
    expect(served).toEqual(expect.arrayContaining(['/mf-manifest.json', '/remoteEntry.js', expect.stringMatching(/^\/__federation_expose_tokenValidator\./)]));

    const userDist = path.dirname(userScript);
    const built = readdirSync(userDist)
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(path.join(userDist, file), 'utf8'))
      .join('\n');
    for (const validatorCode of ['createTokenValidator', 'token is signed by an unknown key', 'algorithms: ALGORITHMS']) {
      expect(built).not.toContain(validatorCode);
    }
  });

  it('shares one jsonwebtoken, the host’s: the remote used it and never ran its own copy', async () => {
    const { body } = await requestJson<{
      shared: Record<string, { version: string; from: string; loaded: boolean; usedBy: string[] }[]>;
      remotes: Record<string, { fetched: string[]; evaluated: string[] }>;
    }>(`${user.url}/health`);
    expect(body.shared.jsonwebtoken).toEqual([{ version: expect.any(String), from: 'user_service', loaded: true, usedBy: ['auth'] }]);
    expect(body.shared.express).toEqual([expect.objectContaining({ from: 'user_service' })]);

    const { fetched, evaluated } = body.remotes.auth ?? { fetched: [], evaluated: [] };
    const remoteJwtChunk = fetched.find((file) => file.includes('jsonwebtoken'));
    expect(remoteJwtChunk).toBeDefined();
    expect(evaluated).not.toContain(remoteJwtChunk);
    expect(evaluated).toEqual(['remoteEntry.js', expect.stringMatching(/^__federation_expose_tokenValidator\./)]);
  });

  it('keeps serving with the loaded validator when the auth service goes down', async () => {
    await auth.stop();
    const afterOutage = await profile(user, `Bearer ${token}`);
    expect(afterOutage.status).toBe(200);
    const health = await requestJson(`${user.url}/health`);
    expect(health.status).toBe(200);
  });
});

describe('faults', () => {
  it('auth service down at start: /health is 200, /profile a coded 503; once auth is back, 200 without a restart', async () => {
    const port = await freePort();
    const user = await startUser(`http://127.0.0.1:${port}/remoteEntry.js`);

    expect((await requestJson(`${user.url}/health`)).status).toBe(200);
    const down = await profile(user, 'Bearer some.token.here');
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('MODMESH_REMOTE_UNAVAILABLE');
    expect(down.body.error.cause?.code).toBe('MODMESH_REMOTE_UNREACHABLE');
    await user.waitForLog((line) => line.code === 'MODMESH_REMOTE_UNREACHABLE');

    const auth = await startAuth(port);
    const token = await login(auth);
    const back = await pollUntil('the user service serves /profile again', async () => {
      const response = await profile(user, `Bearer ${token}`);
      return response.status === 200 ? response : undefined;
    });
    expect(back.body.message).toBe('Welcome alice! This is your profile.');
    await Promise.all([auth.stop(), user.stop()]);
  });

  it('a remote that accepts the connection and never answers: 503 within the deadline, no hang', async () => {
    const silent = await startSilentServer();
    const user = await startUser(`${silent.url}/remoteEntry.js`);
    const started = Date.now();
    const response = await profile(user, 'Bearer some.token.here');
    const waited = Date.now() - started;
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('MODMESH_REMOTE_UNAVAILABLE');
    expect(response.body.error.cause?.code).toBe('MODMESH_REMOTE_TIMEOUT');
    // profile() itself aborts at 4x the deadline: getting an answer at all is what is tested.
    expect(waited).toBeLessThan(DEADLINE_MS * 4);
    await user.stop();
    await silent.close();
  });

  it('a remote answering 404 HTML or HTML as JavaScript: coded error, and nothing it sent is evaluated', async () => {
    const marker = path.join(os.tmpdir(), `modmesh-evaluated-${process.pid}-${Date.now()}`);
    const payload = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'evaluated');`;
    const manifest = JSON.parse(readFileSync(path.join(authBuild.remoteDir, 'mf-manifest.json'), 'utf8'));
    const hostile = await startStaticServer((req, res) => {
      if (req.url === '/not-found/mf-manifest.json' || req.url === '/html/mf-manifest.json') {
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(manifest));
      }
      if (req.url?.startsWith('/not-found/')) return res.writeHead(404, { 'content-type': 'text/html' }).end(payload);
      res.writeHead(200, { 'content-type': 'text/html' }).end(payload);
    });

    for (const [prefix, cause] of [
      ['not-found', 'MODMESH_REMOTE_BAD_STATUS'],
      ['html', 'MODMESH_REMOTE_BAD_CONTENT_TYPE'],
    ] as const) {
      const user = await startUser(`${hostile.url}/${prefix}/remoteEntry.js`);
      const response = await profile(user, 'Bearer some.token.here');
      expect(response.status).toBe(503);
      expect(response.body.error.cause?.code).toBe(cause);
      await user.waitForLog((line) => line.code === cause);
      await user.stop();
    }
    expect(hostile.requests).toEqual(expect.arrayContaining(['GET /not-found/remoteEntry.js', 'GET /html/remoteEntry.js']));
    expect(() => readFileSync(marker)).toThrow(/ENOENT/);
    await hostile.close();
  });

  it('a chunk planted in the host’s working directory is never run in place of the remote’s', async () => {
    const cwd = path.join(os.tmpdir(), `modmesh-cwd-${process.pid}-${Date.now()}`);
    const marker = path.join(cwd, 'planted-chunk-ran');
    const auth = await startAuth();
    const manifest = JSON.parse(readFileSync(path.join(authBuild.remoteDir, 'mf-manifest.json'), 'utf8'));
    const chunk: string = manifest.exposes[0].assets.js.sync[0];
    await import('node:fs/promises').then((fs) => fs.mkdir(cwd, { recursive: true }));
    writeFileSync(path.join(cwd, chunk), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');`);

    const user = await startService({
      script: userScript,
      cwd,
      env: { PORT: '0', AUTH_REMOTE_URL: `${auth.url}/remoteEntry.js`, AUTH_DEADLINE_MS: String(DEADLINE_MS) },
    });
    const token = await login(auth);
    expect((await profile(user, `Bearer ${token}`)).status).toBe(200);
    expect(() => readFileSync(marker)).toThrow(/ENOENT/);
    await Promise.all([auth.stop(), user.stop()]);
  });
});
