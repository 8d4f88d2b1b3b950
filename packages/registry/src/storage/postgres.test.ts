// The storage contract against PostgreSQL, and what only a shared database has to hold: its
// schema versions, several processes on one database, and losing the database.

import { describeBlobStoreContract, describeConsumerStoreContract, describeMetadataStoreContract, newRelease, tagMove } from '@modmesh/registry-test-utils';
import { createTestDatabase, pollUntil, postgresUnavailable, startBalancer, startSilentServer, type TestDatabase } from '@modmesh/test-utils';
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { startRegistry } from '../server.js';
import { isPostgresUrl, migrateStorage, openStorage, type RegistryStorage } from './open.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the PostgreSQL storage tests: ${unavailable}`);

describe.skipIf(unavailable)('PostgreSQL storage', () => {
  describeMetadataStoreContract('postgres', async () => {
    const { storage, cleanup } = await migratedStorage();
    return { store: storage.metadata, cleanup };
  });

  describeConsumerStoreContract('postgres', async () => {
    const { storage, cleanup } = await migratedStorage();
    return { consumers: storage.consumers!, cleanup };
  });

  describeBlobStoreContract('postgres', async () => {
    const { storage, cleanup } = await migratedStorage();
    return { blobs: storage.blobs, cleanup };
  });

  describe('schema versions', () => {
    let database: TestDatabase;
    beforeEach(async () => {
      database = await createTestDatabase();
      return () => database.drop();
    });

    it('refuses an unmigrated database with MODMESH_STORAGE_SCHEMA and the command that migrates it', async () => {
      const refused = await openStorage({ storage: database.url, dataDir: '' }).catch((error: unknown) => error);

      expect(refused).toMatchObject({ code: 'MODMESH_STORAGE_SCHEMA', hint: expect.stringContaining('modmesh registry migrate') });
    });

    it('migrates once: a second run, even a concurrent one, applies nothing', async () => {
      const runs = await Promise.all([migrateStorage(database.url), migrateStorage(database.url)]);

      expect(runs.map((run) => run.applied).sort()).toEqual([[], [1, 2, 3]]);
      expect(await migrateStorage(database.url)).toEqual({ applied: [], version: 3 });
      const storage = await openStorage({ storage: database.url, dataDir: '' });
      await storage.close();
    });
  });

  describe('two registry processes on one database', () => {
    let first: RegistryStorage;
    let second: RegistryStorage;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      const created = await migratedStorage();
      first = created.storage;
      second = await openStorage({ storage: created.url, dataDir: '' });
      cleanup = async () => {
        await second.close();
        await created.cleanup();
      };
      return () => cleanup();
    });

    it('lets exactly one of twenty concurrent moves spread over both win, and audits only it', async () => {
      await first.metadata.insertRelease(newRelease('auth', '1.0.0', { tag: { name: 'stable', reason: 'release' } }));
      const targets = Array.from({ length: 20 }, (_, i) => `2.${i}.0`);
      for (const version of targets) await second.metadata.insertRelease(newRelease('auth', version));

      const results = await Promise.allSettled(
        targets.map((to, i) => (i % 2 === 0 ? first : second).metadata.moveTag(tagMove({ expect: '1.0.0', to, actor: `mover-${i}` }))),
      );

      const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(won).toHaveLength(1);
      for (const result of results) if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'MODMESH_TAG_CONFLICT' });
      expect(await second.metadata.tagHistory('auth', 'stable')).toEqual([won[0]!.move, expect.objectContaining({ to: '1.0.0' })]);
    });

    it("wakes the other process's watcher when one commits events, and numbers them in commit order", async () => {
      let wakes = 0;
      const stop = await second.metadata.watchEvents(() => {
        wakes += 1;
      });
      try {
        const before = wakes;
        const writes = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : second).metadata.insertRelease(newRelease('auth', `1.0.${i}`)));
        const committed = (await Promise.all(writes)).flat();

        await expect.poll(() => wakes, { timeout: 10_000 }).toBeGreaterThan(before);
        const stored = await second.metadata.eventsAfter(0, 100);
        expect(stored.map((event) => event.id).sort((a, b) => a - b)).toEqual(committed.map((event) => event.id).sort((a, b) => a - b));
        expect(new Set(stored.map((event) => event.id)).size).toBe(10);
      } finally {
        await stop();
      }
    });
  });

  it("starts a registry on it only with an admin token given; replicas share tokens and hosts' reports", async () => {
    const { url, cleanup } = await migratedStorage();
    try {
      const refused = await startRegistry({ storage: url, port: 0, log: false }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'MODMESH_USAGE', hint: expect.stringContaining('MODMESH_ADMIN_TOKEN') });

      const adminToken = 'shared-admin-token-0123456789';
      const replicas = [
        await startRegistry({ storage: url, port: 0, log: false, adminToken }),
        await startRegistry({ storage: url, port: 0, log: false, adminToken }),
      ];
      try {
        const created = await fetch(`${replicas[0]!.url}/v1/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'read' }),
        });
        const { token } = (await created.json()) as { token: string };
        const whoami = await fetch(`${replicas[1]!.url}/v1/remotes`, { headers: { authorization: `Bearer ${token}` } });
        expect(whoami.status).toBe(200);
        // A host reports to one replica; every replica lists it.
        const report = {
          instanceId: 'host-1',
          service: 'user-service',
          kind: 'node',
          remotes: [{ name: 'auth', version: '1.0.0', since: new Date().toISOString() }],
        };
        const reported = await fetch(`${replicas[0]!.url}/v1/consumers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(report),
        });
        expect(reported.status).toBe(200);
        const listed = (await (await fetch(`${replicas[1]!.url}/v1/remotes/auth/consumers`)).json()) as { consumers: { instanceId: string }[] };
        expect(listed.consumers.map((entry) => entry.instanceId)).toEqual(['host-1']);
        expect(replicas[1]!.storage).toEqual({ kind: 'postgres', location: expect.stringContaining('postgres://') });
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
      }
    } finally {
      await cleanup();
    }
  });

  describe('a connection lost without an error code', () => {
    // node-postgres fails these with plain errors that carry no code ("Connection terminated
    // unexpectedly", "timeout exceeded when trying to connect"): where they happen classifies them.
    it('mid-statement (the link closes while a tag move waits on the write lock): MODMESH_STORAGE_UNAVAILABLE', async () => {
      const database = await createTestDatabase();
      await migrateStorage(database.url);
      const link = await startBalancer([database.url.replace(/^postgres(ql)?:/, 'http:')]);
      const throughLink = new URL(database.url);
      throughLink.port = String(link.port);
      const storage = await openStorage({ storage: throughLink.toString(), dataDir: '' });
      const holder = new pg.Client({ connectionString: database.url });
      try {
        await storage.metadata.insertRelease(newRelease('auth', '1.0.0'));
        await holder.connect();
        // The write lock every event-appending write takes (WRITE_LOCK in postgres/metadata.ts).
        await holder.query('SELECT pg_advisory_lock(7310001)');
        const move = storage.metadata.moveTag(tagMove({ expect: null, to: '1.0.0' })).catch((error: unknown) => error);
        await pollUntil('the move waits on the lock', async () => {
          const { rows } = await holder.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'modmesh-registry' AND wait_event_type = 'Lock'");
          return rows.length > 0 ? true : undefined;
        });
        await link.close();

        expect(await move).toMatchObject({ code: 'MODMESH_STORAGE_UNAVAILABLE' });
      } finally {
        await holder.end();
        await storage.close();
        await database.drop();
      }
    });

    it('while connecting (a server that accepts and never answers): MODMESH_STORAGE_UNAVAILABLE', async () => {
      const silent = await startSilentServer();
      try {
        const refused = await openStorage({ storage: `postgres://modmesh@127.0.0.1:${silent.port}/none`, dataDir: '' }).catch((error: unknown) => error);

        expect(refused).toMatchObject({ code: 'MODMESH_STORAGE_UNAVAILABLE' });
      } finally {
        await silent.close();
      }
    });
  });

  it('answers MODMESH_STORAGE_UNAVAILABLE when the database cannot be reached', async () => {
    // Port 1 on loopback: nothing listens there.
    const refused = await openStorage({ storage: 'postgres://modmesh@127.0.0.1:1/none', dataDir: '' }).catch((error: unknown) => error);

    expect(refused).toMatchObject({ code: 'MODMESH_STORAGE_UNAVAILABLE' });
  });
});

describe('storage URLs', () => {
  it('takes postgres:// and postgresql:// URLs, and refuses anything else with MODMESH_USAGE without echoing a password', async () => {
    expect(isPostgresUrl('postgres://u:p@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u:p@h/db')).toBe(true);
    expect(isPostgresUrl('mysql://u:p@h/db')).toBe(false);

    const refused = await openStorage({ storage: 'mysql://user:hunter2@db/registry', dataDir: '' }).catch((error: unknown) => error);

    expect(refused).toMatchObject({ code: 'MODMESH_USAGE' });
    expect(String((refused as Error).message)).not.toContain('hunter2');
  });
});

// --- internal ---

async function migratedStorage(): Promise<{ storage: RegistryStorage; url: string; cleanup: () => Promise<void> }> {
  const database = await createTestDatabase();
  await migrateStorage(database.url);
  const storage = await openStorage({ storage: database.url, dataDir: '' });
  return {
    storage,
    url: database.url,
    async cleanup() {
      await storage.close();
      await database.drop();
    },
  };
}
