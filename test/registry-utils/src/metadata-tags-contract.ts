// The MetadataStore contract, continued: tags, compare-and-swap and their audit log.
import type { MetadataStore } from '@modmesh/registry';
import { beforeEach, describe, expect, it } from 'vitest';
import { newRelease, snapshot, tagMove } from './records.js';

export function describeTagContract(current: () => MetadataStore): void {
  describe('tags', () => {
    let store: MetadataStore;
    beforeEach(() => {
      store = current();
    });

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
}
