import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadSigningKey } from './keys.js';
import { createLoginLimiter, DEFAULT_LOGIN_LIMITS } from './login-limit.js';
import { createAuthServiceApp } from './server.js';
import { authenticate } from './users.js';

// Counted, to tell a refusal that hashed the password from one that did not.
vi.mock('./users.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./users.js')>();
  return { ...real, authenticate: vi.fn(real.authenticate) };
});

describe('createLoginLimiter', () => {
  it('refuses a username after its limit of failures until the window ends, whoever asks', () => {
    let now = 0;
    const limiter = createLoginLimiter({ perUsername: 3, perAddress: 100, windowSeconds: 60 }, () => now);
    for (let failure = 0; failure < 3; failure++) {
      expect(limiter.retryAfter('alice', '10.0.0.1')).toBe(0);
      limiter.failed('alice', '10.0.0.1');
    }
    expect(limiter.retryAfter('alice', '10.0.0.2')).toBe(60);
    expect(limiter.retryAfter('bob', '10.0.0.1')).toBe(0);
    now = 59_500;
    expect(limiter.retryAfter('alice', '10.0.0.2')).toBe(1);
    now = 60_000;
    expect(limiter.retryAfter('alice', '10.0.0.2')).toBe(0);
  });

  it('refuses an address that fails for many usernames, and a success clears only the username', () => {
    const limiter = createLoginLimiter({ perUsername: 3, perAddress: 4, windowSeconds: 60 }, () => 0);
    limiter.failed('alice', '10.0.0.1');
    limiter.failed('alice', '10.0.0.1');
    limiter.succeeded('alice');
    limiter.failed('alice', '10.0.0.1');
    limiter.failed('alice', '10.0.0.1');
    expect(limiter.retryAfter('alice', '10.0.0.9')).toBe(0);
    expect(limiter.retryAfter('carol', '10.0.0.1')).toBe(60);
  });

  it('forgets the oldest windows past maxTracked instead of growing', () => {
    const limiter = createLoginLimiter({ perUsername: 1, perAddress: 1, maxTracked: 2 }, () => 0);
    limiter.failed('first', 'a');
    limiter.failed('second', 'b');
    limiter.failed('third', 'c');
    expect([limiter.retryAfter('first', 'x'), limiter.retryAfter('third', 'x') > 0, limiter.retryAfter('y', 'a')]).toEqual([0, true, 0]);
  });
});

describe('POST /login under brute force (real HTTP server)', () => {
  const build = inject('authBuild');
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const signingKey = loadSigningKey({
      env: { NODE_ENV: 'production', AUTH_PRIVATE_KEY: build.privateKeyPem },
      envFile: path.join(build.remoteDir, 'no-such.env'),
      warn: () => {},
    });
    const app = createAuthServiceApp({
      signingKey,
      issuer: 'modmesh-example-auth',
      audience: 'modmesh-example-api',
      remoteDir: build.remoteDir,
      log: () => {},
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function login(username: string, password: string) {
    const response = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await response.json()) as { token?: string; error?: { code: string; message: string } };
    return { status: response.status, code: body.error?.code, retryAfter: response.headers.get('retry-after'), token: body.token };
  }

  // In order: the service's limits are per process.
  it('lets a person who mistypes in, and a success clears the username’s failures', async () => {
    const almost = DEFAULT_LOGIN_LIMITS.perUsername - 1;
    for (let guess = 0; guess < almost; guess++) expect((await login('alice', `typo-${guess}`)).status).toBe(401);
    expect((await login('alice', 'wonderland')).token).toEqual(expect.any(String));
    for (let guess = 0; guess < almost; guess++) expect((await login('alice', `typo-${guess}`)).status).toBe(401);
  });

  it('answers 429 AUTH_RATE_LIMITED with Retry-After once a username reaches its limit, even for the right password, without hashing', async () => {
    expect((await login('alice', 'last-try')).code).toBe('AUTH_INVALID_CREDENTIALS');
    vi.mocked(authenticate).mockClear();
    const refused = [];
    for (let guess = 0; guess < 50; guess++) refused.push(await login('alice', `guess-${guess}`));
    refused.push(await login('alice', 'wonderland'));
    expect(new Set(refused.map((answer) => `${answer.status} ${answer.code}`))).toEqual(new Set(['429 AUTH_RATE_LIMITED']));
    const retryAfter = Number(refused[0]?.retryAfter);
    expect(retryAfter).toBeGreaterThan(DEFAULT_LOGIN_LIMITS.windowSeconds - 60);
    expect(retryAfter).toBeLessThanOrEqual(DEFAULT_LOGIN_LIMITS.windowSeconds);
    expect(refused.at(-1)?.token).toBeUndefined();
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('refuses an address that sprays usernames once it reaches its own limit', async () => {
    // Failures from this address so far: 4 + 4 + 1 in the tests above.
    const statuses = [];
    for (let user = 0; user < DEFAULT_LOGIN_LIMITS.perAddress - 9; user++) statuses.push((await login(`user-${user}`, 'password')).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
    const next = await login('someone-new', 'password');
    expect([next.status, next.code]).toEqual([429, 'AUTH_RATE_LIMITED']);
  });
});
