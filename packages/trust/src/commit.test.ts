import { createTufRepository, type TufRepository } from '@modmesh/test-utils';
import { describe, expect, it } from 'vitest';
import { createTrustedSet, type TrustedSet } from './cycle.js';
import { createNodeCrypto } from './node-crypto.js';
import { restoreTrustedSet, serializeTrustedSet } from './persist.js';
import { runCycle } from './refresh.js';
import { desiredRelease } from './releases.js';
import { loadTrustedRoot } from './root.js';
import { staleness, trustSummary } from './staleness.js';

const crypto = createNodeCrypto();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function setup(remotes = ['auth']): Promise<{ repo: TufRepository; set: TrustedSet }> {
  const repo = await createTufRepository({ remotes });
  for (const remote of remotes) {
    await repo.publish(remote, '1.0.0');
    await repo.moveTag(remote, 'stable', '1.0.0');
  }
  const root = await loadTrustedRoot(repo.files.get('1.root.json') as Uint8Array, crypto);
  const { set } = await cycle(createTrustedSet(root), repo, remotes);
  return { repo, set };
}

function cycle(set: TrustedSet, repo: TufRepository, remotes = ['auth'], now = repo.now) {
  return runCycle(set, { now, remotes, source: repo.source(), crypto });
}

function tagsOf(repo: TufRepository, remote: string) {
  return structuredClone(repo.current.roles[`${remote}.tags`]?.signed) as unknown as {
    version: number;
    targets: Record<string, { length: number; hashes: { sha256: string }; custom: { modmesh: Record<string, unknown> } }>;
  };
}

describe('U8: a cycle is all or nothing', () => {
  it('commits neither remote when one role is from another snapshot (mix-and-match), and leaves the old set untouched', async () => {
    const { repo, set } = await setup(['auth', 'billing']);
    const before = JSON.stringify(serializeTrustedSet(set));
    await repo.publish('auth', '1.1.0');
    await repo.publish('billing', '1.1.0');
    const older = repo.files.get('1.auth.tags.json') as Uint8Array;
    await repo.moveTag('auth', 'stable', '1.1.0');
    await repo.moveTag('billing', 'stable', '1.1.0');
    // A proxy answers the new auth.tags file with the bytes it recorded earlier; billing passes.
    const right = repo.files.get('2.auth.tags.json') as Uint8Array;
    repo.files.set('2.auth.tags.json', older);
    await expect(cycle(set, repo, ['auth', 'billing'])).rejects.toMatchObject({ code: 'MODMESH_META_MISMATCH', remote: 'auth', file: '2.auth.tags.json' });
    expect(JSON.stringify(serializeTrustedSet(set))).toBe(before);
    expect(desiredRelease(set, 'billing', 'stable').version).toBe('1.0.0');
    // Once the right bytes are served, both move, in one snapshot.
    repo.files.set('2.auth.tags.json', right);
    const { set: next } = await cycle(set, repo, ['auth', 'billing']);
    expect([desiredRelease(next, 'auth', 'stable').version, desiredRelease(next, 'billing', 'stable').version]).toEqual(['1.1.0', '1.1.0']);
    expect(next.snapshot?.signed.version).toBe(repo.versions.snapshot);
  });

  it('refuses a tag whose hash is not the one its release is listed with (T2): MODMESH_TAG_STATE_INVALID', async () => {
    const { repo, set } = await setup();
    const tags = tagsOf(repo, 'auth');
    const stable = tags.targets['auth/tags/stable'];
    if (stable) stable.hashes.sha256 = 'b'.repeat(64);
    await repo.putRole('auth.tags', { signed: { ...tags, version: tags.version + 1 }, signatures: [] }, [repo.keys.movers.auth as never]);
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_TAG_STATE_INVALID',
      message: expect.stringContaining('other than the one auth.releases lists'),
    });
  });

  it('keeps a tag pointing at a withdrawn release in the set; asking for it is MODMESH_RELEASE_NOT_LISTED', async () => {
    const { repo, set } = await setup();
    const releases = structuredClone(repo.current.roles['auth.releases']?.signed) as unknown as { version: number; targets: Record<string, unknown> };
    await repo.putRole('auth.releases', { signed: { ...releases, version: releases.version + 1, targets: {} }, signatures: [] }, [
      repo.keys.publishers.auth as never,
    ]);
    await repo.commit();
    const { set: next } = await cycle(set, repo);
    expect(() => desiredRelease(next, 'auth', 'stable')).toThrow(expect.objectContaining({ code: 'MODMESH_RELEASE_NOT_LISTED' }));
  });

  it('refuses a tag going back in seq (T3: MODMESH_REPLAY_REFUSED) and one seq signed twice (MODMESH_TAG_STATE_CONFLICT)', async () => {
    const { repo, set } = await setup();
    await repo.publish('auth', '1.1.0');
    await repo.moveTag('auth', 'stable', '1.1.0');
    const { set: seq2 } = await cycle(set, repo);
    // A leaked mover key signs a newer role version that puts seq 1 back.
    const first = structuredClone(JSON.parse(new TextDecoder().decode(repo.files.get('1.auth.tags.json'))).signed);
    await repo.putRole('auth.tags', { signed: { ...first, version: (repo.current.roles['auth.tags']?.signed.version ?? 0) + 1 }, signatures: [] }, [
      repo.keys.movers.auth as never,
    ]);
    await repo.commit();
    await expect(cycle(seq2, repo)).rejects.toMatchObject({ code: 'MODMESH_REPLAY_REFUSED', remote: 'auth' });
    // Or signs seq 2 again with other content.
    const tags = tagsOf(repo, 'auth');
    const now = JSON.parse(seq2.roles['auth.tags']?.text as string).signed;
    (now.targets['auth/tags/stable'].custom.modmesh as Record<string, unknown>).reason = 'rewritten';
    await repo.putRole('auth.tags', { signed: { ...now, version: tags.version + 1 }, signatures: [] }, [repo.keys.movers.auth as never]);
    await repo.commit();
    await expect(cycle(seq2, repo)).rejects.toMatchObject({ code: 'MODMESH_TAG_STATE_CONFLICT', remote: 'auth' });
  });

  it('refuses a listed release that changed (R2): MODMESH_RELEASE_CHANGED', async () => {
    const { repo, set } = await setup();
    const releases = structuredClone(repo.current.roles['auth.releases']?.signed) as unknown as {
      version: number;
      targets: Record<string, { hashes: { sha256: string } }>;
    };
    const listed = releases.targets['auth/releases/1.0.0.json'];
    if (listed) listed.hashes.sha256 = 'c'.repeat(64);
    const tags = tagsOf(repo, 'auth');
    const stable = tags.targets['auth/tags/stable'];
    if (stable) stable.hashes.sha256 = 'c'.repeat(64);
    await repo.putRole('auth.releases', { signed: { ...releases, version: releases.version + 1 }, signatures: [] }, [repo.keys.publishers.auth as never]);
    await repo.putRole('auth.tags', { signed: { ...tags, version: tags.version + 1 }, signatures: [] }, [repo.keys.movers.auth as never]);
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_RELEASE_CHANGED', file: 'auth/releases/1.0.0.json' });
  });

  it('refuses a set in which a document the cycle did not refetch has expired (MODMESH_META_EXPIRED)', async () => {
    const { repo, set } = await setup();
    // Eight days on: the registry renewed timestamp and snapshot, but the snapshot in the set expired.
    repo.now += 8 * DAY;
    await repo.renewTimestamp();
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_EXPIRED', file: `${repo.versions.snapshot}.snapshot.json` });
    await repo.commit();
    await expect(cycle(set, repo)).resolves.toBeDefined();
  });
});

describe('B3: the persisted set', () => {
  it('restores to the same set, also after every document expired', async () => {
    const { repo, set } = await setup();
    const stored = JSON.parse(JSON.stringify(serializeTrustedSet(set)));
    const restored = await restoreTrustedSet(stored, set.root, crypto);
    expect(serializeTrustedSet(restored.set)).toEqual(serializeTrustedSet(set));
    expect(desiredRelease(restored.set, 'auth', 'stable').version).toBe('1.0.0');
    expect(staleness(restored.set, repo.now + 400 * DAY, 'auth')).toMatchObject({ role: 'timestamp' });
  });

  it('is refused when an edited document no longer matches what its parent signed', async () => {
    const { set } = await setup();
    const stored = serializeTrustedSet(set);
    stored.roles['auth.tags'] = (stored.roles['auth.tags'] as string).replace('"seq":1', '"seq":2');
    await expect(restoreTrustedSet(stored, set.root, crypto)).rejects.toMatchObject({ code: 'MODMESH_META_MISMATCH', remote: 'auth' });
    await expect(restoreTrustedSet({ format: 'other', roles: {} }, set.root, crypto)).rejects.toMatchObject({ code: 'MODMESH_META_INVALID' });
  });
});

describe('S: staleness', () => {
  it('is nothing while fresh, then names the first expired document and for how long', async () => {
    const { repo, set } = await setup();
    expect(staleness(set, repo.now)).toBeUndefined();
    const stale = staleness(set, repo.now + 2 * HOUR, 'auth');
    expect(stale).toEqual({ role: 'timestamp', since: set.timestamp?.signed.expires, forMs: HOUR });
    expect(staleness(createTrustedSet(set.root), repo.now)).toEqual({ role: 'timestamp', since: undefined, forMs: undefined });
    expect(trustSummary(set)).toEqual({
      rootVersion: 1,
      timestampVersion: repo.versions.timestamp,
      snapshotVersion: repo.versions.snapshot,
      expiresAt: set.timestamp?.signed.expires,
    });
  });
});
