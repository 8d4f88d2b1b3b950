// The storage contract: every MetadataStore, BlobStore and ConsumerStore backend runs these suites
// from its own test file (as unstorage's testDriver() does), so a backend that passes them is
// interchangeable.
import type { MetadataStore } from '@modmesh/registry';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeDumpContract, describeKeyAndTokenContract } from './metadata-dump-contract.js';
import { describeTagContract } from './metadata-tags-contract.js';
import { describeTokenContract } from './metadata-token-contract.js';
import { describeTufContract } from './metadata-tuf-contract.js';
import { newRelease, publisherKey, SIGNATURE, sha256Hex, snapshot, tagMove } from './records.js';

export interface MetadataStoreUnderTest {
  store: MetadataStore;
  /** Closes the store and removes whatever it created. */
  cleanup: () => Promise<void>;
}

/**
 * Runs the MetadataStore contract against a backend; `create` is called once per test.
 *
 * @example
 * describeMetadataStoreContract('sqlite', async () => {
 *   const store = createSqliteMetadataStore(':memory:');
 *   return { store, cleanup: () => store.close() };
 * });
 */
export function describeMetadataStoreContract(backend: string, create: () => Promise<MetadataStoreUnderTest>): void {
  describe(`MetadataStore contract: ${backend}`, () => {
    let store: MetadataStore;
    beforeEach(async () => {
      const created = await create();
      store = created.store;
      return created.cleanup;
    });

    describe('releases', () => {
      it('reads back a release exactly as stored: manifest text, signature, files ordered by path', async () => {
        // Not canonical on purpose: the store keeps the text, it never re-serialises it.
        const manifest = '{ "version": "1.0.0",\n  "name": "auth", "note": "é ✓" }';
        const release = newRelease('auth', '1.0.0', { manifest });

        const events = await store.insertRelease(release);

        expect(events).toEqual([
          {
            id: expect.any(Number),
            type: 'release.published',
            at: release.publishedAt,
            data: { name: 'auth', version: '1.0.0', publishedBy: release.publishedBy },
          },
        ]);
        expect(await store.getRelease('auth', '1.0.0')).toEqual({
          name: 'auth',
          version: '1.0.0',
          manifest,
          signature: SIGNATURE,
          publishedAt: release.publishedAt,
          publishedBy: release.publishedBy,
        });
        expect(await store.releaseFiles('auth', '1.0.0')).toEqual([...release.files].sort((a, b) => (a.path < b.path ? -1 : 1)));
        expect(await store.getRelease('auth', '2.0.0')).toBeUndefined();
        expect(await store.releaseFiles('auth', '2.0.0')).toEqual([]);
      });

      it('refuses a second publish of the same name@version and keeps the first intact', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0'));
        const before = await snapshot(store, 'auth');
        const files = await store.releaseFiles('auth', '1.0.0');

        const replacement = newRelease('auth', '1.0.0', {
          manifest: '{"name":"auth","evil":true}',
          files: [{ path: 'evil.js', size: 1, sha256: sha256Hex('evil') }],
        });
        await expect(store.insertRelease(replacement)).rejects.toMatchObject({ code: 'MODMESH_VERSION_EXISTS' });

        expect((await store.getRelease('auth', '1.0.0'))?.manifest).toBe(newRelease('auth', '1.0.0').manifest);
        expect(await store.releaseFiles('auth', '1.0.0')).toEqual(files);
        expect(await snapshot(store, 'auth')).toEqual(before);
      });

      it('finds a path a blob is published under by its hash', async () => {
        const shared = sha256Hex('shared chunk');
        await store.insertRelease(newRelease('auth', '1.0.0', { files: [{ path: 'chunks/a.js', size: 12, sha256: shared }] }));
        await store.insertRelease(newRelease('billing', '1.0.0', { files: [{ path: 'chunks/b.js', size: 12, sha256: shared }] }));

        expect(['chunks/a.js', 'chunks/b.js']).toContain(await store.pathOfBlob(shared));
        expect(await store.pathOfBlob(sha256Hex('never published'))).toBeUndefined();
      });

      it('lists the versions of one remote with their publish times', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0', { publishedAt: '2026-11-22T03:00:00.000Z' }));
        await store.insertRelease(newRelease('auth', '1.1.0', { publishedAt: '2026-11-23T03:00:00.000Z' }));
        await store.insertRelease(newRelease('billing', '2.0.0'));

        const versions = await store.listVersions('auth');

        expect(versions).toHaveLength(2);
        expect(versions).toEqual(
          expect.arrayContaining([
            { version: '1.0.0', publishedAt: '2026-11-22T03:00:00.000Z' },
            { version: '1.1.0', publishedAt: '2026-11-23T03:00:00.000Z' },
          ]),
        );
        expect(await store.listVersions('unknown')).toEqual([]);
      });

      it('lists remotes with release counts and current tags, including remotes that only have keys', async () => {
        await store.insertRelease(newRelease('auth', '1.10.0'));
        await store.insertRelease(newRelease('auth', '1.9.0', { tag: { name: 'stable', reason: 'release' } }));
        await store.addPublisherKey(publisherKey('billing', 'k1'));

        const remotes = (await store.listRemotes()).map(({ name, releases, latest, tags }) => ({ name, releases, latest, tags }));

        // latest is the highest version by semver (1.10.0 > 1.9.0), whatever the publish order.
        expect(remotes.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
          { name: 'auth', releases: 2, latest: '1.10.0', tags: { stable: '1.9.0' } },
          { name: 'billing', releases: 0, latest: null, tags: {} },
        ]);
      });
    });

    describeTagContract(() => store);

    describe('events', () => {
      it('returns the events strictly after an id, in order, at most limit (SSE resume with Last-Event-ID)', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0'));
        await store.insertRelease(newRelease('auth', '1.1.0', { tag: { name: 'stable', reason: 'release' } }));
        await store.moveTag(tagMove({ expect: '1.1.0', to: '1.0.0', kind: 'rollback' }));
        await store.insertRelease(newRelease('auth', '1.2.0'));

        const all = await store.eventsAfter(0, 100);

        expect(all.map((event) => event.type)).toEqual(['release.published', 'release.published', 'tag.moved', 'tag.moved', 'release.published']);
        const ids = all.map((event) => event.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(new Set(ids).size).toBe(ids.length);
        expect(await store.eventsAfter(ids[1]!, 100)).toEqual(all.slice(2));
        expect(await store.eventsAfter(ids[1]!, 2)).toEqual(all.slice(2, 4));
        expect(await store.eventsAfter(ids[4]!, 100)).toEqual([]);
      });

      it('names the newest event id, 0 before the first', async () => {
        expect(await store.latestEventId()).toBe(0);
        await store.insertRelease(newRelease('auth', '1.0.0', { tag: { name: 'stable', reason: 'release' } }));

        expect(await store.latestEventId()).toBe((await store.eventsAfter(0, 100)).at(-1)!.id);
      });
    });

    describeDumpContract(() => store, create);
    describeKeyAndTokenContract(() => store);
    describeTufContract(() => store);
    describeTokenContract(() => store);
  });
}
