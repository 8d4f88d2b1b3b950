// The MetadataStore contract, continued: TUF metadata (design 16 §4.1). Every version kept and
// never rewritten, the head, and a change with the release and tag moves it states committed
// all or nothing, on the head it was built on.
import type { MetadataCommit, MetadataStore, SignedTagMove, TufMetadataRow } from '@modmesh/registry';
import { beforeEach, describe, expect, it } from 'vitest';
import { newRelease, sha256Hex, snapshot } from './records.js';

export function describeTufContract(current: () => MetadataStore): void {
  describe('TUF metadata', () => {
    let store: MetadataStore;
    beforeEach(() => {
      store = current();
    });

    it('starts with no head and no documents', async () => {
      expect(await store.tufHead()).toEqual({ root: 0, targets: 0, snapshot: 0, timestamp: 0, current: {} });
      expect(await store.getMetadata('root')).toBeUndefined();
      expect(await store.getMetadata('root', 1)).toBeUndefined();
    });

    it('keeps every version of every document byte for byte, and the head names the newest', async () => {
      await commit(store, [row('root', 1), row('targets', 1), row('snapshot', 1), row('timestamp', 1)], { snapshot: 0, timestamp: 0 });
      await commit(store, [row('auth.releases', 1), row('snapshot', 2), row('timestamp', 2)], { snapshot: 1, timestamp: 1 });
      await commit(store, [row('timestamp', 3)], { snapshot: 2, timestamp: 2 });

      const head = await store.tufHead();
      expect(head).toMatchObject({ root: 1, targets: 1, snapshot: 2, timestamp: 3 });
      expect(Object.keys(head.current).sort()).toEqual(['auth.releases', 'root', 'snapshot', 'targets', 'timestamp']);
      const { bytes: _bytes, ...meta } = row('timestamp', 3);
      expect(head.current.timestamp).toEqual(meta);
      expect(await store.getMetadata('timestamp')).toEqual(row('timestamp', 3));
      expect(await store.getMetadata('timestamp', 1)).toEqual(row('timestamp', 1));
      expect(await store.getMetadata('auth.releases', 1)).toEqual(row('auth.releases', 1));
      expect(await store.getMetadata('auth.releases', 2)).toBeUndefined();
    });

    it("refuses a document that is not its role's next version with MODMESH_META_CONFLICT, and writes nothing of the change", async () => {
      await commit(store, [row('targets', 1), row('snapshot', 1), row('timestamp', 1)], { snapshot: 0, timestamp: 0 });
      await commit(store, [row('auth.tags', 1), row('snapshot', 2), row('timestamp', 2)], { snapshot: 1, timestamp: 1 });
      const before = await store.tufHead();

      for (const version of [0, 1]) {
        await expect(
          store.commitMetadata({ rows: [row('auth.tags', version), row('snapshot', 3), row('timestamp', 3)], expect: { snapshot: 2, timestamp: 2 } }),
        ).rejects.toMatchObject({ code: 'MODMESH_META_CONFLICT' });
      }

      expect(await store.tufHead()).toEqual(before);
      expect(await store.getMetadata('snapshot', 3)).toBeUndefined();
      expect(await store.eventsAfter(0, 100)).toHaveLength(2);
    });

    it('writes nothing when the snapshot or timestamp moved since the head the change was built on', async () => {
      await commit(store, [row('targets', 1), row('snapshot', 1), row('timestamp', 1)], { snapshot: 0, timestamp: 0 });
      await commit(store, [row('timestamp', 2)], { snapshot: 1, timestamp: 1 });
      const before = await store.tufHead();

      const outcome = await store.commitMetadata({
        rows: [row('auth.releases', 1), row('snapshot', 2), row('timestamp', 3)],
        expect: { snapshot: 1, timestamp: 1 },
      });

      expect(outcome).toEqual({ stale: true });
      expect(await store.tufHead()).toEqual(before);
      expect(await store.getMetadata('auth.releases')).toBeUndefined();
    });

    it('commits a release and its tag moves with the documents that state them: events release.published, tag.moved, tuf.updated in order', async () => {
      await commit(store, [row('targets', 1), row('snapshot', 1), row('timestamp', 1)], { snapshot: 0, timestamp: 0 });
      const release = newRelease('auth', '1.0.0', { document: '{"manifest":{},"signature":"x"}', signers: ['k'.repeat(64)] });
      const move = signedMove({ to: '1.0.0', seq: 1 });

      const outcome = await store.commitMetadata({
        rows: [row('auth.releases', 1), row('auth.tags', 1), row('snapshot', 2), row('timestamp', 2)],
        expect: { snapshot: 1, timestamp: 1 },
        release,
        tagMoves: [move],
      });

      if (!('events' in outcome)) throw new Error('stale');
      expect(outcome.events.map((event) => event.type)).toEqual(['release.published', 'tag.moved', 'tuf.updated']);
      expect(outcome.events.at(-1)?.data).toEqual({ timestampVersion: 2 });
      expect((await store.eventsAfter(0, 100)).slice(-3)).toEqual(outcome.events);
      expect(await store.getTags('auth')).toEqual([{ name: 'auth', tag: 'stable', version: '1.0.0', seq: 1, updatedAt: move.at }]);
      expect(await store.tagHistory('auth')).toEqual([{ id: expect.any(Number), ...move }]);
      expect(await store.releaseDocument('auth', '1.0.0')).toEqual({ version: '1.0.0', document: release.document, sha256: sha256Hex(release.document!) });
      expect(await store.releaseDocumentByHash('auth', sha256Hex(release.document!))).toMatchObject({ version: '1.0.0' });
      expect(await store.releaseDocumentByHash('billing', sha256Hex(release.document!))).toBeUndefined();
    });

    it('refuses a change whose release exists (MODMESH_VERSION_EXISTS) and keeps documents, tags and events as they were', async () => {
      await store.insertRelease(newRelease('auth', '1.0.0'));
      await commit(store, [row('targets', 1), row('snapshot', 1), row('timestamp', 1)], { snapshot: 0, timestamp: 0 });
      const before = { head: await store.tufHead(), rest: await snapshot(store, 'auth') };

      await expect(
        store.commitMetadata({
          rows: [row('auth.releases', 1), row('auth.tags', 1), row('snapshot', 2), row('timestamp', 2)],
          expect: { snapshot: 1, timestamp: 1 },
          release: newRelease('auth', '1.0.0', { manifest: '{"evil":true}' }),
          tagMoves: [signedMove({ to: '1.0.0', seq: 1 })],
        }),
      ).rejects.toMatchObject({ code: 'MODMESH_VERSION_EXISTS' });

      expect({ head: await store.tufHead(), rest: await snapshot(store, 'auth') }).toEqual(before);
    });

    it('derives the document of a release published without one, as canonical JSON of its manifest and signature', async () => {
      const release = newRelease('auth', '1.0.0', { manifest: '{ "version": "1.0.0", "name": "auth" }' });
      await store.insertRelease(release);

      const document = await store.releaseDocument('auth', '1.0.0');

      expect(JSON.parse(document!.document)).toEqual({ manifest: { name: 'auth', version: '1.0.0' }, signature: release.signature });
      expect(document!.document).toBe(`{"manifest":{"name":"auth","version":"1.0.0"},"signature":${JSON.stringify(release.signature)}}`);
      expect(document!.sha256).toBe(sha256Hex(document!.document));
    });
  });
}

// --- internal ---

const AT = '2026-12-01T12:00:00.000Z';

function row(role: string, version: number): TufMetadataRow {
  const bytes = new TextEncoder().encode(`{"signatures":[],"signed":{"_type":"${role}","version":${version}}}`);
  return {
    role,
    version,
    bytes,
    sha256: sha256Hex(Buffer.from(bytes)),
    length: bytes.length,
    expires: '2027-12-01T12:00:00Z',
    createdAt: AT,
    createdBy: 'admin',
  };
}

function signedMove(move: Partial<SignedTagMove> & Pick<SignedTagMove, 'to' | 'seq'>): SignedTagMove {
  return { name: 'auth', tag: 'stable', from: null, kind: 'move', actor: 't1', reason: 'promote', at: AT, roleVersion: 1, signers: ['m'.repeat(64)], ...move };
}

async function commit(store: MetadataStore, rows: TufMetadataRow[], expect: MetadataCommit['expect']): Promise<void> {
  const outcome = await store.commitMetadata({ rows, expect });
  if ('stale' in outcome) throw new Error(`stale head: expected ${JSON.stringify(expect)}`);
}
