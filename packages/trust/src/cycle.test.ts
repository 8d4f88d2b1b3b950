import { createTufRepository, generateTufKey, type TufRepository } from '@modmesh/test-utils';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, buildTimestamp } from './build-roles.js';
import { rotateRoot } from './build-root.js';
import { createTrustedSet, type TrustedSet } from './cycle.js';
import { createNodeCrypto } from './node-crypto.js';
import { runCycle } from './refresh.js';
import { desiredRelease } from './releases.js';
import { loadTrustedRoot } from './root.js';

const crypto = createNodeCrypto();
const HOUR = 3_600_000;

async function setup(): Promise<{ repo: TufRepository; set: TrustedSet }> {
  const repo = await createTufRepository();
  await repo.publish('auth', '1.0.0');
  await repo.moveTag('auth', 'stable', '1.0.0');
  const root = await loadTrustedRoot(repo.files.get('1.root.json') as Uint8Array, crypto);
  const { set } = await cycle(createTrustedSet(root), repo);
  return { repo, set };
}

function cycle(set: TrustedSet, repo: TufRepository, now = repo.now) {
  return runCycle(set, { now, remotes: ['auth'], source: repo.source(), crypto });
}

function parsed(repo: TufRepository, file: string) {
  return JSON.parse(new TextDecoder().decode(repo.files.get(file)));
}

// A timestamp over the repository's current snapshot, with `changes`, signed by `signers`.
async function forgedTimestamp(repo: TufRepository, changes: Record<string, unknown>, signers = [repo.keys.online]) {
  const real = parsed(repo, 'timestamp.json');
  repo.files.set('timestamp.json', await repo.sign({ signed: { ...real.signed, ...changes }, signatures: [] }, signers));
}

describe('a cycle from the root alone', () => {
  it('ends with one snapshot, its targets and the remote roles, and resolves the tag', async () => {
    const { repo, set } = await setup();
    expect(set.timestamp?.signed.version).toBe(repo.versions.timestamp);
    expect(set.snapshot?.signed.version).toBe(repo.versions.snapshot);
    expect(Object.keys(set.roles).sort()).toEqual(['auth.releases', 'auth.tags']);
    expect(desiredRelease(set, 'auth', 'stable')).toMatchObject({ version: '1.0.0', path: 'auth/releases/1.0.0.json', tag: { seq: 1 } });
  });
});

describe('U2: the trusted root', () => {
  it('is MODMESH_ROOT_EXPIRED once expired, before any timestamp is read', async () => {
    const { repo, set } = await setup();
    repo.files.delete('timestamp.json');
    await expect(cycle(set, repo, repo.now + 366 * 24 * HOUR)).rejects.toMatchObject({ code: 'MODMESH_ROOT_EXPIRED', file: '1.root.json' });
  });
});

describe('U4: timestamp.json', () => {
  it('is MODMESH_META_SIGNATURE when signed by another key than the root names for timestamp', async () => {
    const { repo, set } = await setup();
    await forgedTimestamp(repo, { version: 99 }, [repo.keys.movers.auth as never]);
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_SIGNATURE',
      message: 'timestamp.json v99 is signed by 0 of the 1 keys of timestamp (root v1) needed',
    });
  });

  it('is MODMESH_META_ROLLBACK when older than the trusted one, or naming an older snapshot', async () => {
    const { repo, set } = await setup();
    const old = repo.files.get('timestamp.json') as Uint8Array;
    await repo.moveTag('auth', 'canary', '1.0.0');
    const { set: newer } = await cycle(set, repo);
    repo.files.set('timestamp.json', old);
    await expect(cycle(newer, repo)).rejects.toMatchObject({ code: 'MODMESH_META_ROLLBACK', message: expect.stringContaining('is older than the trusted') });
    const oldSnapshot = JSON.parse(new TextDecoder().decode(old)).signed.meta;
    await forgedTimestamp(repo, { version: repo.versions.timestamp + 1, meta: oldSnapshot });
    await expect(cycle(newer, repo)).rejects.toMatchObject({ code: 'MODMESH_META_ROLLBACK', message: expect.stringContaining('older than the trusted') });
  });

  it('is MODMESH_META_EXPIRED when already expired', async () => {
    const { repo, set } = await setup();
    await repo.renewTimestamp();
    await expect(cycle(set, repo, repo.now + 2 * HOUR)).rejects.toMatchObject({ code: 'MODMESH_META_EXPIRED', file: 'timestamp.json' });
  });

  it("is MODMESH_META_INVALID when it expires beyond the root's lifetime cap plus skew (a stolen online key's long-lived forgery)", async () => {
    const { repo, set } = await setup();
    await forgedTimestamp(repo, { version: 50, expires: repo.after(30) });
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_INVALID',
      message: expect.stringContaining("beyond the root's lifetime cap of 86400 s"),
    });
    // 24 h + 4 min is inside the cap with its 5 min of skew.
    await forgedTimestamp(repo, { version: 51, expires: new Date(repo.now + 24 * HOUR + 4 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z') });
    await expect(cycle(set, repo)).resolves.toBeDefined();
  });

  it('with an equal version is no news: the trusted documents stay, nothing else is fetched', async () => {
    const { repo, set } = await setup();
    const fetched: string[] = [];
    const source = {
      get: async (fetch: { file: string }) => {
        fetched.push(fetch.file);
        return repo.files.get(fetch.file);
      },
    };
    const result = await runCycle(set, { now: repo.now + 1000, remotes: ['auth'], source, crypto });
    expect(fetched).toEqual(['2.root.json', 'timestamp.json']);
    expect(result.set.timestamp).toBe(set.timestamp);
    expect(result.set.roles['auth.tags']).toBe(set.roles['auth.tags']);
  });
});

describe('U3: fast-forward recovery', () => {
  it('drops the trusted timestamp and snapshot once the root names a new online key', async () => {
    const { repo, set } = await setup();
    // The stolen online key signs timestamp v1000000 over the real snapshot: it is accepted (the key was valid).
    await forgedTimestamp(repo, { version: 1_000_000 });
    const { set: forwarded } = await cycle(set, repo);
    expect(forwarded.timestamp?.signed.version).toBe(1_000_000);
    // The registry's real timestamps are now "older".
    await repo.moveTag('auth', 'stable', '1.0.0', { reason: 'again' });
    await expect(cycle(forwarded, repo)).rejects.toMatchObject({ code: 'MODMESH_META_ROLLBACK' });
    // Recovery: root v2 names a new online key; the registry re-signs snapshot and timestamp with it.
    const newOnline = await generateTufKey();
    const root2 = await rotateRoot(repo.current.root.signed, { onlineKeys: [newOnline.signer.key], expires: repo.after(365) }, crypto);
    repo.files.set('2.root.json', await repo.sign(root2, repo.keys.root.slice(0, 2)));
    repo.keys.online = newOnline;
    await repo.commit();
    const result = await cycle(forwarded, repo);
    expect(result.cycle.onlineKeysRotated).toBe(true);
    expect(result.set.root.signed.version).toBe(2);
    expect(result.set.timestamp?.signed.version).toBe(repo.versions.timestamp);
    expect(desiredRelease(result.set, 'auth', 'stable').tag?.seq).toBe(2);
  });
});

describe('U5: N.snapshot.json', () => {
  it('is MODMESH_META_MISMATCH when its bytes are not what the timestamp signed', async () => {
    const { repo, set } = await setup();
    await repo.moveTag('auth', 'canary', '1.0.0');
    const file = `${repo.versions.snapshot}.snapshot.json`;
    const real = parsed(repo, file);
    repo.files.set(file, await repo.sign({ signed: { ...real.signed, expires: repo.after(6) }, signatures: [] }, [repo.keys.online]));
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_MISMATCH', message: expect.stringContaining('but timestamp.json') });
  });

  it('is MODMESH_META_SIGNATURE when not signed by the snapshot key', async () => {
    const { repo, set } = await setup();
    await snapshotAndTimestamp(repo, { version: repo.versions.snapshot + 1 }, [repo.keys.publishers.auth as never]);
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_SIGNATURE', message: expect.stringContaining('keys of snapshot (root v1)') });
  });

  it('is MODMESH_META_MISMATCH when its version is not the one the timestamp names', async () => {
    const { repo, set } = await setup();
    await snapshotAndTimestamp(repo, { version: 77, file: `${repo.versions.snapshot + 1}.snapshot.json`, metaVersion: repo.versions.snapshot + 1 });
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_MISMATCH', message: expect.stringContaining('snapshot.json v77 is not v') });
  });

  it('is MODMESH_META_ROLLBACK when it lists a role older than the trusted one (the rollback attack without a mark)', async () => {
    const { repo, set } = await setup();
    await repo.moveTag('auth', 'stable', '1.0.0', { reason: 'seq 2' });
    const { set: newer } = await cycle(set, repo);
    // The registry's database is edited back to auth.tags v1 and signs a fresh snapshot over it.
    await snapshotAndTimestamp(repo, { version: repo.versions.snapshot + 1, tagsVersion: 1 });
    await expect(cycle(newer, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_ROLLBACK',
      message: expect.stringContaining('lists auth.tags.json at v1, older than the trusted v2'),
    });
    await snapshotAndTimestamp(repo, { version: repo.versions.snapshot + 2, dropTags: true });
    await expect(cycle(newer, repo)).rejects.toMatchObject({ code: 'MODMESH_META_ROLLBACK', message: expect.stringContaining('drops auth.tags.json') });
  });

  it('is MODMESH_META_EXPIRED when expired', async () => {
    const { repo, set } = await setup();
    await snapshotAndTimestamp(repo, { version: repo.versions.snapshot + 1, expires: new Date(repo.now - 1000).toISOString().replace(/\.\d+Z$/, 'Z') });
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_EXPIRED', file: `${repo.versions.snapshot + 1}.snapshot.json` });
  });
});

// A snapshot over the repository's current roles (with changes), and a timestamp over it.
async function snapshotAndTimestamp(
  repo: TufRepository,
  options: { version: number; file?: string; metaVersion?: number; tagsVersion?: number; dropTags?: boolean; expires?: string },
  signers = [repo.keys.online],
): Promise<void> {
  const roles: Record<string, Uint8Array> = { targets: repo.files.get(`${repo.current.targets.signed.version}.targets.json`) as Uint8Array };
  roles['auth.releases'] = repo.files.get(`${repo.current.roles['auth.releases']?.signed.version}.auth.releases.json`) as Uint8Array;
  if (!options.dropTags)
    roles['auth.tags'] = repo.files.get(`${options.tagsVersion ?? repo.current.roles['auth.tags']?.signed.version}.auth.tags.json`) as Uint8Array;
  const snapshot = await buildSnapshot({ version: options.version, expires: options.expires ?? repo.after(7), roles }, crypto);
  const bytes = await repo.sign(snapshot, signers);
  repo.files.set(options.file ?? `${options.version}.snapshot.json`, bytes);
  const timestamp = await buildTimestamp({ version: repo.versions.timestamp + 100 + options.version, expires: repo.after(0.5), snapshot: bytes }, crypto);
  if (options.metaVersion) timestamp.signed.meta['snapshot.json'].version = options.metaVersion;
  repo.files.set('timestamp.json', await repo.sign(timestamp, [repo.keys.online]));
}
