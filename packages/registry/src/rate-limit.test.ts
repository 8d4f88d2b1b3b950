import { signRelease } from '@modmesh/manifest';
import {
  ADMIN_TOKEN,
  admin,
  bearer,
  createTestRegistry,
  publishFixture,
  releaseFixture,
  setUpPublisher,
  sha256,
  type TestRegistry,
  uploadFiles,
} from '@modmesh/registry-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryLimits, DEFAULT_RATE_LIMITS } from './rate-limit.js';

describe('the registry’s rate limits', () => {
  let registry: TestRegistry;
  afterEach(() => registry.cleanup());

  it('refuse a flood of publishes from one token with 429, Retry-After and MODMESH_RATE_LIMITED, storing nothing', async () => {
    registry = await createTestRegistry({ rateLimit: { releases: 3 } });
    const publisher = await setUpPublisher(registry, 'auth');
    const answers = [];
    for (let patch = 0; patch < 6; patch++) answers.push(await publishFixture(registry, releaseFixture('auth', `1.0.${patch}`), publisher));
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201, 201, 429, 429, 429]);
    const refused = answers[3];
    expect(refused?.json().error).toMatchObject({ code: 'MODMESH_RATE_LIMITED', remote: 'auth', message: expect.stringContaining('3 release publishes') });
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused?.headers['retry-after'])).toBeLessThanOrEqual(20);
    const versions = (await registry.app.inject({ url: '/v1/remotes/auth' })).json().versions.map((entry: { version: string }) => entry.version);
    expect(versions).toEqual(['1.0.0', '1.0.1', '1.0.2']);

    // The budget is the token's: another publisher and the admin token are not held up.
    const other = await setUpPublisher(registry, 'billing');
    expect((await publishFixture(registry, releaseFixture('billing', '1.0.0'), other)).statusCode).toBe(201);
    const fixture = releaseFixture('auth', '2.0.0');
    await uploadFiles(registry, 'auth', ADMIN_TOKEN, fixture.files);
    const byAdmin = await registry.app.inject({
      method: 'POST',
      url: '/v1/remotes/auth/releases',
      headers: admin(),
      payload: signRelease(fixture.manifest, publisher.key.privateKeyPem),
    });
    expect(byAdmin.statusCode).toBe(201);
  });

  it('refuse blob uploads and tag moves over budget before anything is stored or moved', async () => {
    registry = await createTestRegistry({ rateLimit: { blobUploads: 2, tagMoves: 1 } });
    const publisher = await setUpPublisher(registry, 'auth');
    const blobs = ['one', 'two', 'three'].map((text) => Buffer.from(text));
    const uploads = [];
    for (const bytes of blobs) {
      uploads.push(
        await registry.app.inject({
          method: 'PUT',
          url: `/v1/remotes/auth/blobs/${sha256(bytes)}`,
          headers: { ...bearer(publisher.token), 'content-type': 'application/octet-stream' },
          payload: bytes,
        }),
      );
    }
    expect(uploads.map((upload) => upload.statusCode)).toEqual([201, 201, 429]);
    expect((await registry.app.inject({ url: `/v1/blobs/${sha256(blobs[2] as Buffer)}` })).statusCode).toBe(404);

    const fixture = releaseFixture('auth', '1.0.0');
    await uploadFiles(registry, 'auth', ADMIN_TOKEN, fixture.files);
    await registry.app.inject({
      method: 'POST',
      url: '/v1/remotes/auth/releases',
      headers: admin(),
      payload: signRelease(fixture.manifest, publisher.key.privateKeyPem),
    });
    const move = (tag: string) =>
      registry.app.inject({
        method: 'PUT',
        url: `/v1/remotes/auth/tags/${tag}`,
        headers: bearer(publisher.token),
        payload: { version: '1.0.0', expect: null },
      });
    expect([(await move('stable')).statusCode, (await move('canary')).statusCode]).toEqual([200, 429]);
    const rollback = await registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/tags/stable/rollback', headers: bearer(publisher.token) });
    expect([rollback.statusCode, rollback.json().error.code]).toEqual([429, 'MODMESH_RATE_LIMITED']);
    const history = (await registry.app.inject({ url: '/v1/remotes/auth/history' })).json().history;
    expect(history.map((entry: { tag: string }) => entry.tag)).toEqual(['stable']);
  });

  it('refuse a client address that guesses tokens, before looking its next token up, and nobody else', async () => {
    registry = await createTestRegistry({ rateLimit: { authFailures: 5 } });
    const publisher = await setUpPublisher(registry, 'auth');
    const from = (remoteAddress: string, token: string) => registry.app.inject({ url: '/v1/remotes', remoteAddress, headers: bearer(token) });
    const guesses = [];
    for (let guess = 0; guess < 8; guess++) guesses.push((await from('10.0.0.66', `mmp_guess${guess}`)).statusCode);
    expect(guesses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const valid = await from('10.0.0.66', publisher.token);
    expect([valid.statusCode, valid.json().error.code, Number(valid.headers['retry-after']) > 0]).toEqual([429, 'MODMESH_RATE_LIMITED', true]);
    // Without a token nothing is guessed: reads go on. Other addresses are not held up.
    expect((await registry.app.inject({ url: '/v1/remotes', remoteAddress: '10.0.0.66' })).statusCode).toBe(200);
    expect((await from('10.0.0.7', publisher.token)).statusCode).toBe(200);
    expect((await from('10.0.0.7', 'mmp_typo')).statusCode).toBe(401);
  });

  it('by default never hold up an ordinary publish flow, but do a flood; and turn off with rateLimit: false', async () => {
    registry = await createTestRegistry();
    const publisher = await setUpPublisher(registry, 'auth');
    for (let patch = 0; patch < 10; patch++) {
      expect((await publishFixture(registry, releaseFixture('auth', `1.0.${patch}`), publisher, { tag: 'stable' })).statusCode).toBe(201);
    }
    // Refused attempts count too: each one costs the registry work.
    const flood = new Map<number, number>();
    for (let attempt = 10; attempt <= DEFAULT_RATE_LIMITS.releases; attempt++) {
      const { statusCode } = await registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/releases', headers: bearer(publisher.token), payload: {} });
      flood.set(statusCode, (flood.get(statusCode) ?? 0) + 1);
    }
    expect(Object.fromEntries(flood)).toEqual({ 400: DEFAULT_RATE_LIMITS.releases - 10, 429: 1 });
    await registry.cleanup();

    registry = await createTestRegistry({ rateLimit: false });
    const unlimited = await setUpPublisher(registry, 'auth');
    const statuses = new Set<number>();
    for (let attempt = 0; attempt < DEFAULT_RATE_LIMITS.releases + 10; attempt++) {
      statuses.add((await registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/releases', headers: bearer(unlimited.token), payload: {} })).statusCode);
      statuses.add((await registry.app.inject({ url: '/v1/remotes', headers: bearer('mmp_wrong') })).statusCode);
    }
    expect([...statuses].sort()).toEqual([400, 401]);
  });

  it('refuse budgets that are not whole numbers of at least 1', async () => {
    registry = await createTestRegistry();
    for (const releases of [0, -1, 1.5, Number.NaN])
      expect(() => createRegistryLimits({ releases })).toThrow(expect.objectContaining({ code: 'MODMESH_USAGE' }));
  });
});
