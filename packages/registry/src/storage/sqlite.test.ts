import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeMetadataStoreContract, newRelease, sha256Hex, tagMove } from '@modmesh/registry-test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteMetadataStore } from './sqlite.js';
import type { MetadataStore } from './types.js';

describeMetadataStoreContract('sqlite', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-sqlite-'));
  const store = createSqliteMetadataStore(path.join(dir, 'registry.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('createSqliteMetadataStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-sqlite-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps everything across closing and reopening the same file, and goes on numbering from there', async () => {
    const file = path.join(dir, 'registry.db');
    const token = { id: 't1', hash: sha256Hex('secret'), role: 'publish', remote: 'auth', label: 'auth CI', createdAt: '2026-11-22T03:00:00.000Z' } as const;
    const first = createSqliteMetadataStore(file);
    await first.insertRelease(newRelease('auth', '1.0.0', { tag: { name: 'stable', reason: 'release' } }));
    await first.insertRelease(newRelease('auth', '1.1.0'));
    await first.moveTag(tagMove({ expect: '1.0.0', to: '1.1.0' }));
    await first.addPublisherKey({ name: 'auth', keyId: 'k1', publicKey: 'ed25519:k1', label: 'CI', addedAt: '2026-11-22T03:00:00.000Z', addedBy: 'admin' });
    await first.addToken(token);
    const before = await everything(first);
    await first.close();

    const reopened = createSqliteMetadataStore(file);
    try {
      expect(await everything(reopened)).toEqual(before);
      expect(await reopened.findToken(token.hash)).toEqual(token);

      const { move, event } = await reopened.moveTag(tagMove({ expect: '1.1.0', to: '1.0.0', kind: 'rollback' }));
      expect(move.seq).toBe(3);
      expect(event.id).toBeGreaterThan(before.events.at(-1)!.id);
    } finally {
      await reopened.close();
    }
  });
});

// --- internal ---

async function everything(store: MetadataStore) {
  return {
    release: await store.getRelease('auth', '1.0.0'),
    files: await store.releaseFiles('auth', '1.0.0'),
    versions: await store.listVersions('auth'),
    tags: await store.getTags('auth'),
    history: await store.tagHistory('auth'),
    events: await store.eventsAfter(0, 100),
    keys: await store.publisherKeys('auth'),
  };
}
