// The TUF read routes (design 16 §1.3) on a registry with a root of trust: what a host, a
// browser or stock TUF tooling fetches, byte for byte, with the caching each file allows.
import { createTestRegistry, createTrustFixture, releaseFixture, setUpPublisher, type TestRegistry, type TrustFixture } from '@modmesh/registry-test-utils';
import { createTrustedSet, desiredRelease, loadTrustedRoot, runCycle, verifyReleaseDocument } from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
let trust: TrustFixture;
let token: string;

beforeEach(async () => {
  registry = await createTestRegistry();
  trust = await createTrustFixture(registry);
  await trust.push();
  token = (await setUpPublisher(registry, 'billing')).token;
  token = (
    await registry.app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
      payload: { remote: 'auth' },
    })
  ).json().token;
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
