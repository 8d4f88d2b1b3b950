// A release its publishers withdrew (a signed R.releases N+1 that no longer lists it) is offered by
// no read of the registry: not by a range, not asked for exactly, not in the remote's listing, on
// SQLite and PostgreSQL. Hosts trusting per-remote keys (legacy mode) resolve through these routes.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ADMIN_TOKEN,
  admin,
  bearer,
  createTestRegistry,
  createTrustFixture,
  expectAnswer,
  publishFixture,
  releaseFixture,
  setUpPublisher,
  type TestRegistry,
  type TrustFixture,
} from '@modmesh/registry-test-utils';
import { createTestDatabase, postgresUnavailable } from '@modmesh/test-utils';
import { buildReleasesUpdate } from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import { describe, expect, it } from 'vitest';
import { createRegistryApp } from '../app.js';
import { migrateStorage, openStorage } from '../storage/open.js';
import { loadOnlineSigner } from '../tuf/online-key.js';

const crypto = createNodeCrypto();
const unavailable = postgresUnavailable();
if (unavailable) console.warn(`withdrawn releases on PostgreSQL are skipped: ${unavailable}`);

const BACKENDS: { storage: string; open: () => Promise<TestRegistry>; skip?: string }[] = [
  { storage: 'SQLite', open: () => createTestRegistry() },
  { storage: 'PostgreSQL', open: postgresRegistry, ...(unavailable && { skip: unavailable }) },
];

describe.each(BACKENDS)('a withdrawn release on $storage', ({ open, skip }) => {
  it.skipIf(skip)('is no longer offered: a range resolves below it, the exact version and the release are refused, the listing leaves it out', async () => {
    const { registry, trust, token } = await rootMode(open);
    try {
      for (const version of ['1.0.0', '1.1.0']) expect((await trust.publish(releaseFixture('auth', version), token)).statusCode).toBe(201);
      // Asked before the withdrawal: these answers are now kept in memory.
      expect(await resolve(registry, 'auth', '%5E1')).toMatchObject({ version: '1.1.0' });
      expect(await resolve(registry, 'auth', '1.1.0')).toMatchObject({ version: '1.1.0' });

      await withdraw(registry, trust, token, '1.1.0');

      expect(await resolve(registry, 'auth', '%5E1')).toMatchObject({ version: '1.0.0' });
      const withRelease = await registry.app.inject({ url: '/v1/remotes/auth/resolve/%5E1?include=release' });
      expect(withRelease.json()).toMatchObject({ version: '1.0.0', release: { manifest: { version: '1.0.0' } } });
      for (const url of ['/v1/remotes/auth/resolve/1.1.0', '/v1/remotes/auth/releases/1.1.0']) {
        const refused = await registry.app.inject({ url });
        expect([refused.statusCode, refused.json().error], url).toEqual([
          400,
          expect.objectContaining({
            code: 'MODMESH_RELEASE_NOT_LISTED',
            message: 'auth@1.1.0 is not listed by auth.releases v3: its publishers withdrew it, or it was published before the root of trust and not adopted',
            hint: expect.stringContaining('modmesh ls auth'),
          }),
        ]);
      }
      const unsatisfied = await registry.app.inject({ url: '/v1/remotes/auth/resolve/%3E%3D1.1.0' });
      expect(unsatisfied.json().error).toMatchObject({
        code: 'MODMESH_RANGE_UNSATISFIED',
        message: expect.stringContaining('listed by auth.releases v3: 1.0.0'),
      });
      const listing = expectAnswer('GET /v1/remotes/:name', await registry.app.inject({ url: '/v1/remotes/auth' }));
      expect(listing.versions.map((entry) => entry.version)).toEqual(['1.0.0']);
      expect(await resolve(registry, 'auth', '1.0.0')).toMatchObject({ version: '1.0.0' });
    } finally {
      await registry.cleanup();
    }
  });

  it.skipIf(skip)('leaves a legacy remote (no releases role) on the same registry as it was', async () => {
    const { registry, trust, token } = await rootMode(open);
    try {
      const publisher = await setUpPublisher(registry, 'billing');
      for (const version of ['1.0.0', '1.1.0']) expect((await publishFixture(registry, releaseFixture('billing', version), publisher)).statusCode).toBe(201);
      for (const version of ['1.0.0', '1.1.0']) expect((await trust.publish(releaseFixture('auth', version), token)).statusCode).toBe(201);

      await withdraw(registry, trust, token, '1.1.0');

      expect(await resolve(registry, 'billing', '%5E1')).toMatchObject({ version: '1.1.0' });
      expect(await resolve(registry, 'billing', '1.1.0')).toMatchObject({ version: '1.1.0' });
      expect((await registry.app.inject({ url: '/v1/remotes/billing/releases/1.1.0' })).json().manifest).toMatchObject({ version: '1.1.0' });
      const listing = expectAnswer('GET /v1/remotes/:name', await registry.app.inject({ url: '/v1/remotes/billing' }));
      expect(listing.versions.map((entry) => entry.version)).toEqual(['1.0.0', '1.1.0']);
    } finally {
      await registry.cleanup();
    }
  });
});

// --- internal ---

async function rootMode(open: () => Promise<TestRegistry>): Promise<{ registry: TestRegistry; trust: TrustFixture; token: string }> {
  const registry = await open();
  const trust = await createTrustFixture(registry);
  await trust.push();
  const token = (await registry.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { remote: 'auth' } })).json().token;
  return { registry, trust, token };
}

async function resolve(registry: TestRegistry, remote: string, spec: string) {
  return expectAnswer('GET /v1/remotes/:name/resolve/:spec', await registry.app.inject({ url: `/v1/remotes/${remote}/resolve/${spec}` }));
}

// A publisher-signed R.releases N+1 without `version`.
async function withdraw(registry: TestRegistry, trust: TrustFixture, token: string, version: string): Promise<void> {
  const current = (await trust.role('auth.releases'))?.signed;
  const yank = await trust.sign(await buildReleasesUpdate(current, { remote: 'auth', remove: [version], expires: trust.after(30) }, crypto), [
    trust.keys.publishers.auth!,
  ]);
  const answer = await registry.app.inject({ method: 'PUT', url: '/v1/remotes/auth/releases', headers: bearer(token), payload: yank as never });
  expect([answer.statusCode, answer.json()]).toEqual([200, { name: 'auth', releasesVersion: 3 }]);
}

// The registry app on a database of its own, as `createTestRegistry` builds it on SQLite.
async function postgresRegistry(): Promise<TestRegistry> {
  const database = await createTestDatabase();
  await migrateStorage(database.url);
  const storage = await openStorage({ storage: database.url, dataDir: '' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-registry-'));
  const onlineSigner = await loadOnlineSigner({ dataDir: dir, generate: true });
  const registry = await createRegistryApp({ metadata: storage.metadata, blobs: storage.blobs, adminToken: ADMIN_TOKEN, onlineSigner });
  return {
    ...registry,
    dir,
    metadata: storage.metadata,
    async cleanup() {
      await registry.app.close();
      await storage.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
