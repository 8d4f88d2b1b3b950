import { createPublicKey } from 'node:crypto';
import { generatePublisherKeyPair } from '@modmesh/manifest';
import { createTufRepository, type TufRepository } from '@modmesh/test-utils';
import { describe, expect, it } from 'vitest';
import { rotateRoot } from './build-root.js';
import { createTrustedSet, startCycle, type TrustedSet, updateSnapshot, updateTimestamp } from './cycle.js';
import { compactOf, tufKeyFromCompact } from './keys.js';
import { createNodeCrypto, tufKeyOfPublicKey } from './node-crypto.js';
import { roleFetches, rootFetch, snapshotFetch, TIMESTAMP_FETCH, targetsFetch } from './plan.js';
import { runCycle } from './refresh.js';
import { updateRole } from './roles.js';
import { loadTrustedRoot, ROOT_MAX_BYTES } from './root.js';

const crypto = createNodeCrypto();

async function setup(): Promise<{ repo: TufRepository; set: TrustedSet }> {
  const repo = await createTufRepository();
  await repo.publish('auth', '1.0.0');
  await repo.moveTag('auth', 'stable', '1.0.0');
  const root = await loadTrustedRoot(repo.files.get('1.root.json') as Uint8Array, crypto);
  return { repo, set: createTrustedSet(root) };
}

describe('what a cycle fetches, and the most bytes it reads of each (§2.7)', () => {
  it('caps the root at 64 KiB and the timestamp at 16 KiB, and every other document at the length its parent signed', async () => {
    const { repo, set } = await setup();
    const fetched: { file: string; maxBytes: number }[] = [];
    const source = {
      get: async (fetch: { file: string; maxBytes: number }) => {
        fetched.push({ file: fetch.file, maxBytes: fetch.maxBytes });
        return repo.files.get(fetch.file);
      },
    };
    await runCycle(set, { now: repo.now, remotes: ['auth'], source, crypto });
    const length = (file: string) => repo.files.get(file)?.length;
    expect(fetched).toEqual([
      { file: '2.root.json', maxBytes: ROOT_MAX_BYTES },
      { file: 'timestamp.json', maxBytes: 16 * 1024 },
      { file: `${repo.versions.snapshot}.snapshot.json`, maxBytes: length(`${repo.versions.snapshot}.snapshot.json`) },
      { file: '2.targets.json', maxBytes: length('2.targets.json') },
      { file: '1.auth.releases.json', maxBytes: length('1.auth.releases.json') },
      { file: '1.auth.tags.json', maxBytes: length('1.auth.tags.json') },
    ]);
  });

  it('skips what the set already holds, and fetches again what the parent now signs differently', async () => {
    const { repo, set } = await setup();
    const { set: held } = await runCycle(set, { now: repo.now, remotes: ['auth'], source: repo.source(), crypto });
    await repo.moveTag('auth', 'canary', '1.0.0');
    let cycle = startCycle(held, repo.now);
    expect(rootFetch(cycle).file).toBe('2.root.json');
    expect(TIMESTAMP_FETCH.maxBytes).toBe(16 * 1024);
    cycle = await updateTimestamp(cycle, repo.files.get('timestamp.json') as Uint8Array, crypto);
    cycle = await updateSnapshot(cycle, repo.files.get((snapshotFetch(cycle) as { file: string }).file) as Uint8Array, crypto);
    expect(targetsFetch(cycle)).toBeUndefined();
    expect(roleFetches(cycle, ['auth']).fetches.map((fetch) => fetch.file)).toEqual(['2.auth.tags.json']);
  });

  it('refuses a body over its cap (MODMESH_REMOTE_TOO_LARGE) and a listed file the registry does not have (MODMESH_REMOTE_BAD_STATUS)', async () => {
    const { repo, set } = await setup();
    repo.files.set('timestamp.json', new Uint8Array(16 * 1024 + 1));
    await expect(runCycle(set, { now: repo.now, remotes: ['auth'], source: repo.source(), crypto })).rejects.toMatchObject({
      code: 'MODMESH_REMOTE_TOO_LARGE',
      file: 'timestamp.json',
    });
    repo.files.set('2.root.json', new Uint8Array(ROOT_MAX_BYTES + 1));
    await expect(runCycle(set, { now: repo.now, remotes: ['auth'], source: repo.source(), crypto })).rejects.toMatchObject({
      code: 'MODMESH_REMOTE_TOO_LARGE',
      file: '2.root.json',
    });
    repo.files.delete('2.root.json');
    await repo.renewTimestamp();
    repo.files.delete('1.auth.tags.json');
    await expect(runCycle(set, { now: repo.now, remotes: ['auth'], source: repo.source(), crypto })).rejects.toMatchObject({
      code: 'MODMESH_REMOTE_BAD_STATUS',
      file: '1.auth.tags.json',
    });
  });

  it('walks at most 64 new roots in one cycle; the next cycle goes on from there', async () => {
    const { repo, set } = await setup();
    // A registry offering endless valid root versions (each signed by the root keys).
    let newest = repo.current.root.signed;
    const roots = new Map<string, Uint8Array>();
    for (let version = 2; version <= 70; version += 1) {
      const next = await rotateRoot(newest, { expires: repo.after(365) }, crypto);
      roots.set(`${version}.root.json`, await repo.sign(next, repo.keys.root.slice(0, 2)));
      newest = next.signed;
    }
    const source = { get: async (fetch: { file: string }) => roots.get(fetch.file) ?? repo.files.get(fetch.file) };
    const kept: number[] = [];
    const first = await runCycle(set, { now: repo.now, remotes: ['auth'], source, crypto, onRoot: (root) => void kept.push(root.signed.version) });
    expect(first.set.root.signed.version).toBe(65);
    expect(kept).toEqual(Array.from({ length: 64 }, (_, index) => index + 2));
    const second = await runCycle(first.set, { now: repo.now, remotes: ['auth'], source, crypto });
    expect(second.set.root.signed.version).toBe(70);
  });

  it('reports a step taken out of order as MODMESH_INTERNAL (a bug in the caller)', async () => {
    const { repo, set } = await setup();
    await expect(updateRole(startCycle(set, repo.now), 'auth.tags', new Uint8Array(), crypto)).rejects.toMatchObject({ code: 'MODMESH_INTERNAL' });
  });
});

describe('keys', () => {
  it('convert between the compact form of modmesh config and TUF keys, refusing anything else (MODMESH_KEY_INVALID)', () => {
    const pair = generatePublisherKeyPair();
    const key = tufKeyFromCompact(pair.publicKey);
    expect(compactOf(key)).toBe(pair.publicKey);
    expect(tufKeyOfPublicKey(createPublicKey(pair.privateKeyPem).export({ format: 'pem', type: 'spki' }).toString())).toEqual(key);
    expect(() => tufKeyOfPublicKey(pair.privateKeyPem)).toThrow(expect.objectContaining({ code: 'MODMESH_KEY_INVALID' }));
    for (const bad of ['ed25519:short', 'rsa:AAAA', pair.publicKey.slice(0, -1)]) {
      expect(() => tufKeyFromCompact(bad), bad).toThrow(expect.objectContaining({ code: 'MODMESH_KEY_INVALID' }));
    }
  });
});
