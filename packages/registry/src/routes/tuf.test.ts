// The TUF read routes (design 16 §1.3) on a registry with a root of trust: what a host, a
// browser or stock TUF tooling fetches, byte for byte, with the caching each file allows.
import { admin, bearer, createTestRegistry, createTrustFixture, releaseFixture, type TestRegistry, type TrustFixture } from '@modmesh/registry-test-utils';
import { createTrustedSet, desiredRelease, loadTrustedRoot, runCycle, verifyReleaseDocument } from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import { beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
let trust: TrustFixture;
let token: string;

beforeEach(async () => {
  registry = await createTestRegistry();
  trust = await createTrustFixture(registry);
  await trust.push();
  token = (await registry.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { remote: 'auth' } })).json().token;
  return () => registry.cleanup();
});

function get(url: string) {
  return registry.app.inject({ method: 'GET', url });
}

describe('GET /v1/tuf/metadata/:file', () => {
  it('serves a state our verifier accepts end to end: a host trusting root v1 resolves auth@stable to the document it downloads', async () => {
    expect((await trust.publish(releaseFixture('auth', '1.0.0'), token)).statusCode).toBe(201);
    const published = await trust.publish(releaseFixture('auth', '1.1.0'), token, { tag: 'stable' });
    expect(published.statusCode, published.body).toBe(201);

    const crypto = createNodeCrypto();
    const root = await loadTrustedRoot(new Uint8Array((await get('/v1/tuf/metadata/1.root.json')).rawPayload), crypto);
    const { set } = await runCycle(createTrustedSet(root), {
      now: Date.now(),
      remotes: ['auth'],
      crypto,
      source: {
        async get({ file }) {
          const response = await get(`/v1/tuf/metadata/${file}`);
          return response.statusCode === 404 ? undefined : new Uint8Array(response.rawPayload);
        },
      },
    });
    const wanted = desiredRelease(set, 'auth', 'stable');
    expect(wanted).toMatchObject({ version: '1.1.0', tag: { seq: 1, rollback: false } });
    const target = await get(`/v1/tuf/targets/auth/tags/${wanted.sha256}.stable`);
    expect(target.statusCode).toBe(200);
    const manifest = await verifyReleaseDocument(set, 'auth', '1.1.0', new Uint8Array(target.rawPayload), crypto);
    expect(manifest).toMatchObject({ name: 'auth', version: '1.1.0' });
  });
});

describe('caching and refusals', () => {
  it('serves versioned files and targets as immutable, timestamp.json and root.json as no-cache, each the stored bytes as JSON', async () => {
    const published = await trust.publish(releaseFixture('auth', '1.0.0'), token);
    expect(published.statusCode).toBe(201);
    const { head } = await registry.tuf.engine.context();

    for (const file of ['1.root.json', `${head.snapshot}.snapshot.json`, `${head.targets}.targets.json`, '1.auth.releases.json']) {
      const response = await get(`/v1/tuf/metadata/${file}`);
      expect([file, response.statusCode, response.headers['cache-control'], response.headers['content-type']]).toEqual([
        file,
        200,
        'public, max-age=31536000, immutable',
        'application/json',
      ]);
    }
    for (const file of ['timestamp.json', 'root.json']) expect((await get(`/v1/tuf/metadata/${file}`)).headers['cache-control']).toBe('no-cache');
    expect((await get('/v1/tuf/metadata/root.json')).body).toBe((await get('/v1/tuf/metadata/1.root.json')).body);
    expect(JSON.parse((await get('/v1/tuf/metadata/timestamp.json')).body).signed.version).toBe(head.timestamp);

    const document = await get('/v1/remotes/auth/releases/1.0.0/document');
    const sha256 = Buffer.from(await createNodeCrypto().sha256(new Uint8Array(document.rawPayload))).toString('hex');
    const target = await get(`/v1/tuf/targets/auth/releases/${sha256}.1.0.0.json`);
    expect([target.statusCode, target.headers['cache-control'], target.body]).toEqual([200, 'public, max-age=31536000, immutable', document.body]);
  });

  it('answers MODMESH_NOT_FOUND for files it does not have: no timestamp yet, an unknown version or role, a target under another hash', async () => {
    const fresh = await createTestRegistry();
    try {
      const none = await fresh.app.inject({ url: '/v1/tuf/metadata/timestamp.json' });
      expect([none.statusCode, none.json().error.code]).toEqual([404, 'MODMESH_NOT_FOUND']);
    } finally {
      await fresh.cleanup();
    }
    expect((await trust.publish(releaseFixture('auth', '1.0.0'), token)).statusCode).toBe(201);
    for (const url of [
      '/v1/tuf/metadata/9.root.json',
      '/v1/tuf/metadata/1.nobody.json',
      '/v1/tuf/metadata/1.../etc.json',
      '/v1/tuf/metadata/x.root.json',
      `/v1/tuf/targets/auth/releases/${'0'.repeat(64)}.1.0.0.json`,
      `/v1/tuf/targets/auth/tags/${'0'.repeat(64)}.stable`,
      '/v1/tuf/targets/auth/other/x',
    ]) {
      const response = await get(url);
      expect([url, response.statusCode, response.json().error.code]).toEqual([url, 404, 'MODMESH_NOT_FOUND']);
    }
  });

  it('needs a read token when reads do, and answers the CORS preflight of a page on another origin without one', async () => {
    const closed = await createTestRegistry({ requireReadToken: true });
    try {
      const closedTrust = await createTrustFixture(closed);
      await closedTrust.push();
      expect((await closed.app.inject({ url: '/v1/tuf/metadata/timestamp.json' })).json().error.code).toBe('MODMESH_AUTH_REQUIRED');
      const read = (await closed.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { role: 'read' } })).json().token;
      const allowed = await closed.app.inject({ url: '/v1/tuf/metadata/timestamp.json', headers: { ...bearer(read), origin: 'http://shell.example' } });
      expect([allowed.statusCode, allowed.headers['access-control-allow-origin']]).toEqual([200, '*']);

      for (const url of ['/v1/tuf/metadata/timestamp.json', '/v1/events', '/v1/remotes/auth/resolve/stable']) {
        const preflight = await closed.app.inject({
          method: 'OPTIONS',
          url,
          headers: { origin: 'http://shell.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
        });
        expect([url, preflight.statusCode, preflight.headers['access-control-allow-origin'], preflight.headers['access-control-allow-headers']]).toEqual([
          url,
          204,
          '*',
          'authorization, last-event-id',
        ]);
        expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD');
      }
    } finally {
      await closed.cleanup();
    }
  });
});

describe('the tuf.updated event', () => {
  it('reaches a stream filtered to one remote too, with the new timestamp version', async () => {
    await registry.app.listen({ port: 0, host: '127.0.0.1' });
    const address = registry.app.server.address() as { port: number };
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${address.port}/v1/events?remote=billing&lastEventId=latest`, { signal: controller.signal });
    const reader = response.body!.getReader();
    const published = await trust.publish(releaseFixture('auth', '1.0.0'), token);
    expect(published.statusCode).toBe(201);
    const { head } = await registry.tuf.engine.context();
    let text = '';
    while (!text.includes('event: tuf.updated')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    // Not auth's release.published (filtered out), but the timestamp every host needs.
    expect(text).not.toContain('release.published');
    expect(text).toMatch(new RegExp(`event: tuf.updated\ndata: {"timestampVersion":${head.timestamp},"at":"[^"]+"}`));
  });
});
