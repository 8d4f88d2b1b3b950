// The MetadataStore contract, continued: dump and restore, publisher keys and tokens.
import type { MetadataStore, TokenRecord } from '@modmesh/registry';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataStoreUnderTest } from './metadata-contract.js';
import { all, byKeyId, everything, fill, newRelease, publisherKey, sha256Hex, tagMove } from './records.js';

export function describeDumpContract(current: () => MetadataStore, create: () => Promise<MetadataStoreUnderTest>): void {
  describe('dump and restore (modmesh registry export / import)', () => {
    let store: MetadataStore;
    beforeEach(() => {
      store = current();
    });

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
}

export function describeKeyAndTokenContract(current: () => MetadataStore): void {
  describe('publisher keys and tokens', () => {
    let store: MetadataStore;
    beforeEach(() => {
      store = current();
    });

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
}
