import { createTufRepository, generateTufKey, type TufRepository } from '@modmesh/test-utils';
import { describe, expect, it } from 'vitest';
import { addRemote, removeKey } from './build-root.js';
import { createTrustedSet, type TrustedSet } from './cycle.js';
import { createNodeCrypto } from './node-crypto.js';
import { runCycle } from './refresh.js';
import { loadTrustedRoot } from './root.js';

const crypto = createNodeCrypto();

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

function current(repo: TufRepository, role: string) {
  const envelope = role === 'targets' ? repo.current.targets : repo.current.roles[role];
  return structuredClone(envelope?.signed) as unknown as Record<string, unknown> & {
    version: number;
    targets: Record<string, unknown>;
    delegations: { keys: Record<string, unknown>; roles: { paths: string[] }[] };
  };
}

describe('U6: N.targets.json', () => {
  it('is MODMESH_META_SIGNATURE with one of the two root keys it needs', async () => {
    const { repo, set } = await setup();
    const next = current(repo, 'targets').version + 1;
    await repo.putRole('targets', { signed: { ...current(repo, 'targets'), version: next }, signatures: [] }, repo.keys.root.slice(0, 1));
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_SIGNATURE',
      message: `targets.json v${next} is signed by 1 of the 2 keys of targets (root v1) needed`,
    });
  });

  it('is MODMESH_META_MISMATCH when its version is not the one the snapshot signed', async () => {
    const { repo, set } = await setup();
    const next = current(repo, 'targets').version + 1;
    const bytes = await repo.putRole('targets', { signed: { ...current(repo, 'targets'), version: 50 }, signatures: [] }, repo.keys.root.slice(0, 2));
    repo.files.set(`${next}.targets.json`, bytes);
    // The snapshot lists those bytes (hash and length right) as targets v<next>.
    await repo.putSnapshot((signed) => {
      signed.meta['targets.json'] = { ...signed.meta['targets.json'], version: next };
    });
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_MISMATCH',
      message: `targets.json v50 is not v${next}, which the snapshot signed`,
    });
  });

  it('is MODMESH_META_EXPIRED when expired', async () => {
    const { repo, set } = await setup();
    const next = current(repo, 'targets').version + 1;
    await repo.putRole(
      'targets',
      { signed: { ...current(repo, 'targets'), version: next, expires: '2026-01-01T00:00:00Z' }, signatures: [] },
      repo.keys.root.slice(0, 2),
    );
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_EXPIRED', file: `${next}.targets.json` });
  });

  it('is MODMESH_META_INVALID when it lists targets itself, or delegates anything but the pairs of §1.3', async () => {
    const { repo, set } = await setup();
    const base = current(repo, 'targets');
    await repo.putRole(
      'targets',
      {
        signed: { ...base, version: base.version + 1, targets: { 'auth/releases/9.9.9.json': { length: 1, hashes: { sha256: 'a'.repeat(64) } } } },
        signatures: [],
      },
      repo.keys.root.slice(0, 2),
    );
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_INVALID',
      message: expect.stringContaining('must be empty: targets only delegates'),
    });
    const wide = structuredClone(base);
    (wide.delegations.roles[0] as { paths: string[] }).paths = ['auth/*'];
    await repo.putRole('targets', { signed: { ...wide, version: base.version + 2 }, signatures: [] }, repo.keys.root.slice(0, 2));
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_INVALID', message: expect.stringContaining('must be ["auth/releases/*"]') });
  });

  it('is MODMESH_META_INVALID when a delegated keyid is not the hash of its key', async () => {
    const { repo, set } = await setup();
    const base = current(repo, 'targets');
    const [publisher, mover] = [repo.keys.publishers.auth?.signer, repo.keys.movers.auth?.signer];
    base.delegations.keys[publisher?.keyid as string] = mover?.key;
    await repo.putRole('targets', { signed: { ...base, version: base.version + 1 }, signatures: [] }, repo.keys.root.slice(0, 2));
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_INVALID',
      message: expect.stringContaining('which is not the SHA-256 of that key'),
    });
  });
});

describe('U7: a remote role', () => {
  it('is MODMESH_META_SIGNATURE when a tag move is signed by the online key (a stolen timestamp key cannot move a tag)', async () => {
    const { repo, set } = await setup();
    const tags = current(repo, 'auth.tags');
    await repo.putRole('auth.tags', { signed: { ...tags, version: tags.version + 1 }, signatures: [] }, [repo.keys.online]);
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_SIGNATURE',
      remote: 'auth',
      message: `auth.tags.json v${tags.version + 1} is signed by 0 of the 1 keys of auth.tags (targets v${repo.current.targets.signed.version}) needed`,
    });
  });

  it('is MODMESH_META_MISMATCH when its bytes are another version than the snapshot signed (mix-and-match)', async () => {
    const { repo, set } = await setup();
    const older = repo.files.get('1.auth.tags.json') as Uint8Array;
    await repo.moveTag('auth', 'stable', '1.0.0', { reason: 'again' });
    repo.files.set('2.auth.tags.json', older);
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_MISMATCH',
      remote: 'auth',
      message: expect.stringContaining('but snapshot.json'),
    });
  });

  it('is MODMESH_META_EXPIRED when its signers let it expire', async () => {
    const { repo, set } = await setup();
    const releases = current(repo, 'auth.releases');
    await repo.putRole('auth.releases', { signed: { ...releases, version: releases.version + 1, expires: '2026-06-01T00:00:00Z' }, signatures: [] }, [
      repo.keys.publishers.auth as never,
    ]);
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_EXPIRED', remote: 'auth' });
  });

  it('is MODMESH_META_INVALID for a path outside the role, or a further delegation', async () => {
    const { repo, set } = await setup();
    const releases = current(repo, 'auth.releases');
    const listed = Object.values(releases.targets)[0];
    await repo.putRole(
      'auth.releases',
      { signed: { ...releases, version: releases.version + 1, targets: { ...releases.targets, 'billing/releases/1.0.0.json': listed } }, signatures: [] },
      [repo.keys.publishers.auth as never],
    );
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_INVALID',
      message: expect.stringContaining('is not auth/releases/<version>.json'),
    });
    await repo.putRole('auth.releases', { signed: { ...releases, version: releases.version + 2, delegations: { keys: {}, roles: [] } }, signatures: [] }, [
      repo.keys.publishers.auth as never,
    ]);
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({ code: 'MODMESH_META_INVALID', message: expect.stringContaining('may not delegate further') });
  });

  it('is MODMESH_TAG_STATE_INVALID when a mover signs a state that breaks T1', async () => {
    const { repo, set } = await setup();
    const tags = current(repo, 'auth.tags') as { version: number; targets: Record<string, { custom: { modmesh: { seq: number } } }> };
    const stable = tags.targets['auth/tags/stable'];
    if (stable) stable.custom.modmesh.seq = 5; // seq 5 with no previous state
    await repo.putRole('auth.tags', { signed: { ...tags, version: tags.version + 1 }, signatures: [] }, [repo.keys.movers.auth as never]);
    await repo.commit();
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_TAG_STATE_INVALID',
      message: expect.stringContaining('seq 5 names no previous state'),
    });
  });

  it('leaves a remote without a delegation, or not adopted yet, unavailable without failing the cycle', async () => {
    const { repo, set } = await setup();
    const result = await cycle(set, repo, ['auth', 'billing']);
    expect(result.unavailable.billing).toMatchObject({
      code: 'MODMESH_KEY_NOT_TRUSTED',
      remote: 'billing',
      hint: expect.stringContaining('modmesh root add-remote billing'),
    });
    expect(Object.keys(result.set.roles).sort()).toEqual(['auth.releases', 'auth.tags']);
    const [publisher, mover] = [await generateTufKey(), await generateTufKey()];
    const added = await addRemote(
      repo.current.targets.signed,
      { remote: 'billing', publishers: [publisher.signer.key], movers: [mover.signer.key], expires: repo.after(365) },
      crypto,
    );
    await repo.putRole('targets', added, repo.keys.root.slice(0, 2));
    await repo.commit();
    const adopted = await cycle(result.set, repo, ['auth', 'billing']);
    expect(adopted.unavailable.billing).toMatchObject({ code: 'MODMESH_RELEASE_NOT_LISTED', message: expect.stringContaining('lists no billing.releases') });
  });

  it('is re-verified when targets changes: a removed publisher key stops counting at once', async () => {
    const { repo, set } = await setup();
    const other = await generateTufKey();
    // Targets v2 adds L to auth's publishers, then v3 removes K (which alone signed auth.releases).
    const withL = structuredClone(repo.current.targets.signed);
    const role = withL.delegations?.roles.find((item) => item.name === 'auth.releases');
    role?.keyids.push(other.signer.keyid);
    if (withL.delegations) withL.delegations.keys[other.signer.keyid] = other.signer.key;
    await repo.putRole('targets', { signed: { ...withL, version: withL.version + 1 }, signatures: [] }, repo.keys.root.slice(0, 2));
    const withoutK = removeKey(repo.current.targets.signed, repo.keys.publishers.auth?.signer.keyid as string, { remote: 'auth', expires: repo.after(365) });
    await repo.putRole('targets', withoutK, repo.keys.root.slice(0, 2));
    await repo.commit();
    const targetsVersion = repo.current.targets.signed.version;
    await expect(cycle(set, repo)).rejects.toMatchObject({
      code: 'MODMESH_META_SIGNATURE',
      message: `auth.releases.json v1 is signed by 0 of the 1 keys of auth.releases (targets v${targetsVersion}) needed`,
    });
  });
});
