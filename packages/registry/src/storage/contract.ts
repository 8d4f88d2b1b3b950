// The storage contract: every MetadataStore and BlobStore backend runs these suites from its own
// test file (as unstorage's testDriver() does), so a backend that passes them is interchangeable.
import { createHash } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ReleaseSignature } from '@modmesh/manifest';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Consumer, ConsumerStore } from '../consumers.js';
import type { BlobStore, MetadataStore, NewRelease, PublisherKey, TagMoveRequest, TokenRecord } from './types.js';

export interface MetadataStoreUnderTest {
  store: MetadataStore;
  /** Closes the store and removes whatever it created. */
  cleanup: () => Promise<void>;
}

export interface BlobStoreUnderTest {
  blobs: BlobStore;
  /** The directory a file-based store keeps everything under; enables the checks on leftover files. */
  dir?: string;
  /** Creates the store again on the same storage, as a restart after a crash would. */
  reopen?: () => Promise<BlobStore>;
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

    describe('tags', () => {
      it('moves a tag in the same call as a publish: release.published then tag.moved, ids increasing', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0', { tag: { name: 'stable', reason: 'first release' } }));
        const release = newRelease('auth', '1.1.0', { tag: { name: 'stable', reason: 'fixes login' } });

        const events = await store.insertRelease(release);

        expect(events.map((event) => event.type)).toEqual(['release.published', 'tag.moved']);
        expect(events[1]!.id).toBeGreaterThan(events[0]!.id);
        expect(events[1]!.data).toMatchObject({
          tag: 'stable',
          from: '1.0.0',
          to: '1.1.0',
          kind: 'move',
          actor: release.publishedBy,
          reason: 'fixes login',
          seq: 2,
        });
        expect(await store.getTags('auth')).toMatchObject([{ tag: 'stable', version: '1.1.0', seq: 2 }]);
        expect((await store.eventsAfter(0, 100)).slice(-2)).toEqual(events);
      });

      it('leaves the tag where it was when a publish with a tag is refused', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0'));
        await store.insertRelease(newRelease('auth', '2.0.0', { tag: { name: 'stable', reason: 'release' } }));
        const before = await snapshot(store, 'auth');

        const republish = newRelease('auth', '1.0.0', { tag: { name: 'stable', reason: 'sneaky rollback' } });
        await expect(store.insertRelease(republish)).rejects.toMatchObject({ code: 'MODMESH_VERSION_EXISTS' });

        expect(await snapshot(store, 'auth')).toEqual(before);
      });

      it('creates a tag when expect is null and moves it when expect is its current version', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0'));
        await store.insertRelease(newRelease('auth', '1.1.0'));

        const created = await store.moveTag(tagMove({ expect: null, to: '1.0.0' }));
        const moved = await store.moveTag(tagMove({ expect: '1.0.0', to: '1.1.0' }));

        expect(created.move).toMatchObject({ from: null, to: '1.0.0', seq: 1 });
        expect(moved.move).toMatchObject({ from: '1.0.0', to: '1.1.0', seq: 2 });
        const { id: _id, ...fields } = moved.move;
        expect(moved.event).toMatchObject({ type: 'tag.moved', data: fields });
        expect(await store.getTags('auth')).toEqual([{ name: 'auth', tag: 'stable', version: '1.1.0', seq: 2, updatedAt: expect.any(String) }]);
      });

      it('refuses a move with a stale expect with MODMESH_TAG_CONFLICT and changes nothing', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0'));
        await store.insertRelease(newRelease('auth', '1.1.0'));
        await store.insertRelease(newRelease('auth', '1.2.0'));
        await store.moveTag(tagMove({ expect: null, to: '1.0.0' }));
        await store.moveTag(tagMove({ expect: '1.0.0', to: '1.1.0' }));
        const before = await snapshot(store, 'auth');

        await expect(store.moveTag(tagMove({ expect: '1.0.0', to: '1.2.0' }))).rejects.toMatchObject({ code: 'MODMESH_TAG_CONFLICT' });
        await expect(store.moveTag(tagMove({ expect: null, to: '1.2.0' }))).rejects.toMatchObject({ code: 'MODMESH_TAG_CONFLICT' });
        await expect(store.moveTag(tagMove({ tag: 'canary', expect: '1.0.0', to: '1.2.0' }))).rejects.toMatchObject({ code: 'MODMESH_TAG_CONFLICT' });

        expect(await snapshot(store, 'auth')).toEqual(before);
      });

      it('refuses to point a tag at a version that is not published with MODMESH_NOT_FOUND', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0'));
        await store.insertRelease(newRelease('billing', '2.0.0'));

        await expect(store.moveTag(tagMove({ expect: null, to: '9.9.9' }))).rejects.toMatchObject({ code: 'MODMESH_NOT_FOUND' });
        // Published, but by another remote.
        await expect(store.moveTag(tagMove({ expect: null, to: '2.0.0' }))).rejects.toMatchObject({ code: 'MODMESH_NOT_FOUND' });

        expect(await store.getTags('auth')).toEqual([]);
        expect(await store.tagHistory('auth')).toEqual([]);
        expect((await store.eventsAfter(0, 100)).map((event) => event.type)).toEqual(['release.published', 'release.published']);
      });

      it('increases seq by exactly one per move of a tag, rollbacks included, and counts each tag on its own', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0'));
        await store.insertRelease(newRelease('auth', '1.1.0'));

        const seqs = [
          (await store.moveTag(tagMove({ expect: null, to: '1.0.0' }))).move.seq,
          (await store.moveTag(tagMove({ expect: '1.0.0', to: '1.1.0' }))).move.seq,
          (await store.moveTag(tagMove({ expect: '1.1.0', to: '1.0.0', kind: 'rollback' }))).move.seq,
          (await store.moveTag(tagMove({ tag: 'canary', expect: null, to: '1.1.0' }))).move.seq,
        ];

        expect(seqs).toEqual([1, 2, 3, 1]);
        expect(await store.getTags('auth')).toMatchObject([
          { tag: 'canary', version: '1.1.0', seq: 1 },
          { tag: 'stable', version: '1.0.0', seq: 3 },
        ]);
      });

      it('keeps tag history newest first with from, to, kind, actor and reason, filtered by remote and tag', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0'));
        await store.insertRelease(newRelease('auth', '1.1.0'));
        await store.insertRelease(newRelease('billing', '1.0.0', { tag: { name: 'stable', reason: 'release' } }));
        await store.moveTag(tagMove({ expect: null, to: '1.0.0', actor: 'alice', reason: 'first' }));
        await store.moveTag(tagMove({ tag: 'canary', expect: null, to: '1.1.0', actor: 'bob', reason: 'try it' }));
        await store.moveTag(tagMove({ expect: '1.0.0', to: '1.1.0', actor: 'alice', reason: 'promote' }));
        await store.moveTag(tagMove({ expect: '1.1.0', to: '1.0.0', kind: 'rollback', actor: 'carol', reason: 'login broken' }));

        const summary = (moves: Awaited<ReturnType<MetadataStore['tagHistory']>>) =>
          moves.map(({ tag, from, to, kind, actor, reason }) => ({ tag, from, to, kind, actor, reason }));

        expect(summary(await store.tagHistory('auth'))).toEqual([
          { tag: 'stable', from: '1.1.0', to: '1.0.0', kind: 'rollback', actor: 'carol', reason: 'login broken' },
          { tag: 'stable', from: '1.0.0', to: '1.1.0', kind: 'move', actor: 'alice', reason: 'promote' },
          { tag: 'canary', from: null, to: '1.1.0', kind: 'move', actor: 'bob', reason: 'try it' },
          { tag: 'stable', from: null, to: '1.0.0', kind: 'move', actor: 'alice', reason: 'first' },
        ]);
        expect(summary(await store.tagHistory('auth', 'stable')).map((move) => move.reason)).toEqual(['login broken', 'promote', 'first']);
        expect(summary(await store.tagHistory('auth', 'stable', 1)).map((move) => move.reason)).toEqual(['login broken']);
      });

      it('lets exactly one of ten concurrent moves with the same expect win', async () => {
        await store.insertRelease(newRelease('auth', '1.0.0', { tag: { name: 'stable', reason: 'release' } }));
        const targets = Array.from({ length: 10 }, (_, i) => `2.${i}.0`);
        for (const version of targets) await store.insertRelease(newRelease('auth', version));
        const [lastEvent] = (await store.eventsAfter(0, 100)).slice(-1);

        const results = await Promise.allSettled(targets.map((to) => store.moveTag(tagMove({ expect: '1.0.0', to }))));

        const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
        const lost = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(9);
        for (const reason of lost) expect(reason).toMatchObject({ code: 'MODMESH_TAG_CONFLICT' });
        expect(await store.getTags('auth')).toMatchObject([{ tag: 'stable', version: won[0]!.move.to, seq: 2 }]);
        expect(await store.tagHistory('auth', 'stable')).toHaveLength(2);
        expect(await store.eventsAfter(lastEvent!.id, 100)).toEqual([won[0]!.event]);
      });
    });

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

    describe('dump and restore (modmesh registry export / import)', () => {
      it('restores a dump into an empty store as it was: ids, seqs and times kept, and numbering goes on after them', async () => {
        await fill(store);
        const records = await all(store.dump());
        const target = await create();
        try {
          expect(await target.store.restore(records)).toEqual({ added: records.length, unchanged: 0 });

          expect(await everything(target.store)).toEqual(await everything(store));
          expect(await all(target.store.dump())).toEqual(records);
          const { move, event } = await target.store.moveTag(tagMove({ expect: '1.0.0', to: '1.1.0' }));
          expect(move.seq).toBe(4);
          expect(move.id).toBeGreaterThan(Math.max(...(await store.tagHistory('auth')).map((entry) => entry.id)));
          expect(event.id).toBeGreaterThan(await store.latestEventId());
        } finally {
          await target.cleanup();
        }
      });

      it('changes nothing when the same dump is restored again, or checked with dryRun', async () => {
        await fill(store);
        const records = await all(store.dump());
        const before = await everything(store);

        expect(await store.restore(records)).toEqual({ added: 0, unchanged: records.length });
        expect(await store.restore(records, { dryRun: true })).toEqual({ added: 0, unchanged: records.length });

        expect(await everything(store)).toEqual(before);
      });

      it('writes nothing on a dry run', async () => {
        await fill(store);
        const records = await all(store.dump());
        const target = await create();
        try {
          expect(await target.store.restore(records, { dryRun: true })).toEqual({ added: records.length, unchanged: 0 });
          expect(await all(target.store.dump())).toEqual([]);
        } finally {
          await target.cleanup();
        }
      });

      it('refuses a dump whose record differs from a stored one with MODMESH_IMPORT_CONFLICT, and writes none of the batch', async () => {
        await fill(store);
        const records = await all(store.dump());
        const target = await create();
        try {
          await target.store.insertRelease(newRelease('auth', '1.1.0', { manifest: '{"name":"auth","version":"1.1.0","other":true}' }));
          const before = await all(target.store.dump());

          await expect(target.store.restore(records)).rejects.toMatchObject({ code: 'MODMESH_IMPORT_CONFLICT', remote: 'auth', version: '1.1.0' });

          expect(await all(target.store.dump())).toEqual(before);
        } finally {
          await target.cleanup();
        }
      });

      it('refuses a token whose hash is stored under another id', async () => {
        const token: TokenRecord = { id: 't1', hash: sha256Hex('secret'), role: 'read', remote: null, label: 'hosts', createdAt: '2026-11-22T03:00:00.000Z' };
        await store.addToken(token);

        await expect(store.restore([{ record: 'token', token: { ...token, id: 't2', role: 'publish', remote: 'auth' } }])).rejects.toMatchObject({
          code: 'MODMESH_IMPORT_CONFLICT',
        });
        expect(await store.findToken(token.hash)).toEqual(token);
      });
    });

    describe('publisher keys and tokens', () => {
      it('lists the keys of one remote only; adding the same key twice is harmless', async () => {
        await store.addPublisherKey(publisherKey('a', 'k1'));
        await store.addPublisherKey(publisherKey('a', 'k1'));
        await store.addPublisherKey(publisherKey('a', 'k2'));
        await store.addPublisherKey(publisherKey('c', 'k3'));

        expect(byKeyId(await store.publisherKeys('a'))).toEqual([publisherKey('a', 'k1'), publisherKey('a', 'k2')]);
        expect(await store.publisherKeys('b')).toEqual([]);
      });

      it('removes a key of one remote once: true, then false', async () => {
        await store.addPublisherKey(publisherKey('a', 'k1'));
        await store.addPublisherKey(publisherKey('b', 'k1'));

        expect(await store.removePublisherKey('b', 'k1')).toBe(true);
        expect(await store.removePublisherKey('b', 'k1')).toBe(false);

        expect(await store.publisherKeys('b')).toEqual([]);
        expect(await store.publisherKeys('a')).toEqual([publisherKey('a', 'k1')]);
      });

      it('finds a token by the hash of its secret; an unknown hash finds nothing', async () => {
        const publish: TokenRecord = {
          id: 't1',
          hash: sha256Hex('secret-1'),
          role: 'publish',
          remote: 'auth',
          label: 'auth CI',
          createdAt: '2026-11-22T03:00:00.000Z',
        };
        const read: TokenRecord = { id: 't2', hash: sha256Hex('secret-2'), role: 'read', remote: null, label: 'hosts', createdAt: '2026-11-22T03:00:00.000Z' };
        await store.addToken(publish);
        await store.addToken(read);

        expect(await store.findToken(publish.hash)).toEqual(publish);
        expect(await store.findToken(read.hash)).toEqual(read);
        expect(await store.findToken(sha256Hex('secret-3'))).toBeUndefined();
      });
    });
  });
}

/**
 * Runs the BlobStore contract against a backend; `create` is called once per test.
 *
 * @example
 * describeBlobStoreContract('file', async () => {
 *   const dir = await mkdtemp(path.join(os.tmpdir(), 'blobs-'));
 *   return { blobs: await createFileBlobStore(dir), dir, reopen: () => createFileBlobStore(dir), cleanup: () => rm(dir, { recursive: true }) };
 * });
 */
export function describeBlobStoreContract(backend: string, create: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore contract: ${backend}`, () => {
    let blobs: BlobStore;
    let dir: string | undefined;
    let reopen: (() => Promise<BlobStore>) | undefined;
    beforeEach(async () => {
      const created = await create();
      ({ blobs, dir, reopen } = created);
      return created.cleanup;
    });

    /** Nothing was stored: not under the hash, not listed, and no file left behind. */
    async function expectEmpty(): Promise<void> {
      expect(await all(blobs.list())).toEqual([]);
      if (dir) expect(await filesUnder(dir)).toEqual([]);
    }

    it('stores bytes whose SHA-256 matches and reads back exactly those bytes', async () => {
      const body = Buffer.concat([Buffer.from('module.exports = "é";\n'), Buffer.from([0, 255, 13, 10])]);
      const sha = sha256Hex(body);

      expect(await blobs.put(sha, body, { maxBytes: body.length })).toEqual({ size: body.length, created: true });

      expect(await blobs.has(sha)).toBe(true);
      expect(await blobs.size(sha)).toBe(body.length);
      const stream = await blobs.open(sha);
      expect(stream && (await buffer(stream))).toEqual(body);
    });

    it('answers undefined or false for a blob it does not have', async () => {
      const sha = sha256Hex('absent');

      expect(await blobs.open(sha)).toBeUndefined();
      expect(await blobs.size(sha)).toBeUndefined();
      expect(await blobs.has(sha)).toBe(false);
    });

    it('stores a body that arrives as a stream', async () => {
      const chunks = [Buffer.from('first chunk;'), Buffer.alloc(64 * 1024, 'x'), Buffer.from('last chunk')];
      const body = Buffer.concat(chunks);
      const sha = sha256Hex(body);

      expect(await blobs.put(sha, Readable.from(chunks), { maxBytes: MAX_BYTES })).toEqual({ size: body.length, created: true });

      const stream = await blobs.open(sha);
      expect(stream && (await buffer(stream))).toEqual(body);
    });

    it('refuses bytes that do not match the hash with MODMESH_HASH_MISMATCH and stores nothing', async () => {
      const claimed = sha256Hex('the real chunk');

      await expect(blobs.put(claimed, Buffer.from('a substituted chunk'), { maxBytes: MAX_BYTES })).rejects.toMatchObject({ code: 'MODMESH_HASH_MISMATCH' });

      expect(await blobs.has(claimed)).toBe(false);
      expect(await blobs.has(sha256Hex('a substituted chunk'))).toBe(false);
      await expectEmpty();
    });

    it('refuses a body over maxBytes with MODMESH_BODY_TOO_LARGE and stores nothing', async () => {
      const chunks = [Buffer.alloc(600, 'a'), Buffer.alloc(600, 'b')];
      const sha = sha256Hex(Buffer.concat(chunks));

      await expect(blobs.put(sha, Readable.from(chunks), { maxBytes: 1000 })).rejects.toMatchObject({ code: 'MODMESH_BODY_TOO_LARGE' });
      await expect(blobs.put(sha, Buffer.concat(chunks), { maxBytes: 1199 })).rejects.toMatchObject({ code: 'MODMESH_BODY_TOO_LARGE' });

      expect(await blobs.has(sha)).toBe(false);
      await expectEmpty();
    });

    it('returns created: false when the same blob is put again', async () => {
      const body = Buffer.from('export default 1;\n');
      const sha = sha256Hex(body);

      expect(await blobs.put(sha, body, { maxBytes: MAX_BYTES })).toEqual({ size: body.length, created: true });
      expect(await blobs.put(sha, body, { maxBytes: MAX_BYTES })).toEqual({ size: body.length, created: false });

      expect(await all(blobs.list())).toEqual([sha]);
    });

    it('refuses a hash that is not 64 lowercase hex digits with MODMESH_BAD_REQUEST', async () => {
      const body = Buffer.from('x');
      for (const sha of MALFORMED_HASHES) {
        await expect(blobs.put(sha, body, { maxBytes: MAX_BYTES }), sha).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
        await expect(blobs.has(sha), sha).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
        await expect(blobs.size(sha), sha).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
        await expect(blobs.open(sha), sha).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
      }
      await expectEmpty();
    });

    it('lists every stored hash', async () => {
      const shas: string[] = [];
      for (const text of ['one', 'two', 'three', 'four']) {
        shas.push(sha256Hex(text));
        await blobs.put(sha256Hex(text), Buffer.from(text), { maxBytes: MAX_BYTES });
      }

      expect((await all(blobs.list())).sort()).toEqual(shas.sort());
    });

    it('removes what a crashed write left in tmp when created again on the same storage, and never lists it', async ({ skip }) => {
      if (!dir || !reopen) return skip('the backend keeps no files of its own');
      const kept = Buffer.from('a complete blob');
      await blobs.put(sha256Hex(kept), kept, { maxBytes: MAX_BYTES });
      // Named like a blob, so a store that looked into tmp would list it.
      const leftover = path.join(dir, 'tmp', sha256Hex('half-written'));
      await writeFile(leftover, 'half-wr');

      expect(await all(blobs.list())).toEqual([sha256Hex(kept)]);
      const restarted = await reopen();

      expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
      expect(await all(restarted.list())).toEqual([sha256Hex(kept)]);
      expect(await restarted.has(sha256Hex('half-written'))).toBe(false);
    });
  });
}

/**
 * Runs the ConsumerStore contract (where hosts' reports are kept) against a backend.
 *
 * @example
 * describeConsumerStoreContract('memory', async () => ({ consumers: createMemoryConsumerStore(), cleanup: async () => {} }));
 */
export function describeConsumerStoreContract(backend: string, create: () => Promise<{ consumers: ConsumerStore; cleanup: () => Promise<void> }>): void {
  describe(`ConsumerStore contract: ${backend}`, () => {
    let consumers: ConsumerStore;
    beforeEach(async () => {
      const created = await create();
      consumers = created.consumers;
      return created.cleanup;
    });
    const consumer = (instanceId: string, lastSeen: string, version = '1.0.0'): Consumer => ({
      instanceId,
      service: 'user-service',
      kind: 'node',
      remotes: [{ name: 'auth', version, since: '2026-11-22T03:00:00.000Z' }],
      lastSeen,
    });

    it('keeps the latest report of each instance and lists those seen since a time', async () => {
      await consumers.save(consumer('a', '2026-11-22T03:00:00.000Z'));
      await consumers.save(consumer('b', '2026-11-22T03:01:00.000Z'));
      await consumers.save(consumer('a', '2026-11-22T03:02:00.000Z', '1.1.0'));

      expect(await consumers.size()).toBe(2);
      expect(await consumers.has('a')).toBe(true);
      expect(await consumers.has('c')).toBe(false);
      const recent = await consumers.seenSince('2026-11-22T03:01:30.000Z');
      expect(recent).toEqual([consumer('a', '2026-11-22T03:02:00.000Z', '1.1.0')]);
      expect((await consumers.seenSince('2026-11-22T02:00:00.000Z')).map((entry) => entry.instanceId).sort()).toEqual(['a', 'b']);
    });

    it('forgets one instance, or every one last seen before a time', async () => {
      await consumers.save(consumer('a', '2026-11-22T03:00:00.000Z'));
      await consumers.save(consumer('b', '2026-11-22T03:01:00.000Z'));
      await consumers.save(consumer('c', '2026-11-22T03:02:00.000Z'));

      await consumers.remove('c');
      await consumers.removeStale('2026-11-22T03:00:30.000Z');

      expect(await consumers.seenSince('2026-11-22T00:00:00.000Z')).toEqual([consumer('b', '2026-11-22T03:01:00.000Z')]);
      expect(await consumers.size()).toBe(1);
    });
  });
}

/** A valid release of `name@version`; at this layer the manifest and signature are opaque. Files are not in path order. */
export function newRelease(name: string, version: string, overrides: Partial<NewRelease> = {}): NewRelease {
  return {
    name,
    version,
    manifest: `{"name":"${name}","version":"${version}"}`,
    signature: SIGNATURE,
    publishedAt: '2026-11-22T03:00:00.000Z',
    publishedBy: `ci@${name}`,
    files: [
      { path: 'remoteEntry.js', size: 120, sha256: sha256Hex(`${name}@${version}/remoteEntry.js`) },
      { path: 'chunks/validator.js', size: 80, sha256: sha256Hex(`${name}@${version}/chunks/validator.js`) },
    ],
    ...overrides,
  };
}

/** A move of auth's `stable` tag by alice, unless told otherwise. */
export function tagMove(request: Pick<TagMoveRequest, 'expect' | 'to'> & Partial<TagMoveRequest>): TagMoveRequest {
  return { name: 'auth', tag: 'stable', kind: 'move', actor: 'alice', reason: 'promote', ...request };
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// --- internal ---

const SIGNATURE: ReleaseSignature = { algorithm: 'ed25519', keyId: 'k1', value: 'c2ln' };

/** Far above every body in these tests, where the limit itself is not under test. */
const MAX_BYTES = 1024 * 1024;

const MALFORMED_HASHES = [
  '../../etc/passwd',
  `../${'a'.repeat(61)}`, // 64 characters, escaping the store
  'A'.repeat(64), // upper case
  'a'.repeat(63),
  'a'.repeat(65),
  '',
];

function publisherKey(name: string, keyId: string): PublisherKey {
  return { name, keyId, publicKey: `ed25519:${keyId}-public`, label: `${keyId} of ${name}`, addedAt: '2026-11-22T03:00:00.000Z', addedBy: 'admin' };
}

function byKeyId(keys: PublisherKey[]): PublisherKey[] {
  return [...keys].sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
}

/** A store with two remotes, tags moved and rolled back, keys and tokens. */
async function fill(store: MetadataStore): Promise<void> {
  await store.insertRelease(newRelease('auth', '1.0.0', { tag: { name: 'stable', reason: 'first' } }));
  await store.insertRelease(newRelease('auth', '1.1.0', { publishedAt: '2026-11-23T03:00:00.000Z' }));
  await store.insertRelease(newRelease('billing', '2.0.0', { tag: { name: 'canary', reason: 'try it' } }));
  await store.moveTag(tagMove({ expect: '1.0.0', to: '1.1.0' }));
  await store.moveTag(tagMove({ expect: '1.1.0', to: '1.0.0', kind: 'rollback', reason: 'broken' }));
  await store.addPublisherKey(publisherKey('auth', 'k1'));
  await store.addPublisherKey(publisherKey('billing', 'k2'));
  await store.addToken({ id: 't1', hash: sha256Hex('secret-1'), role: 'publish', remote: 'auth', label: 'CI', createdAt: '2026-11-22T03:00:00.000Z' });
  await store.addToken({ id: 't2', hash: sha256Hex('secret-2'), role: 'read', remote: null, label: 'hosts', createdAt: '2026-11-22T04:00:00.000Z' });
}

/** Everything a user can read back from a store. */
async function everything(store: MetadataStore) {
  const remotes = await store.listRemotes();
  const perRemote = await Promise.all(
    remotes.map(async ({ name }) => ({
      name,
      versions: await store.listVersions(name),
      releases: await Promise.all(
        (await store.listVersions(name)).map(async ({ version }) => [await store.getRelease(name, version), await store.releaseFiles(name, version)]),
      ),
      tags: await store.getTags(name),
      history: await store.tagHistory(name),
      keys: byKeyId(await store.publisherKeys(name)),
    })),
  );
  return {
    remotes,
    perRemote,
    events: await store.eventsAfter(0, 1000),
    tokens: [await store.findToken(sha256Hex('secret-1')), await store.findToken(sha256Hex('secret-2'))],
  };
}

/** What a failed or refused write must leave unchanged. */
async function snapshot(store: MetadataStore, name: string) {
  return { tags: await store.getTags(name), history: await store.tagHistory(name), events: await store.eventsAfter(0, 1000) };
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

/** Every file (not directory) under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    if (!(await stat(path.join(dir, entry))).isDirectory()) files.push(entry);
  }
  return files;
}
