import { canonicalJson, signRelease } from '@modmesh/manifest';
import { createTufRepository, generateTufKey, releaseManifest, type TufRepository } from '@modmesh/test-utils';
import { describe, expect, it } from 'vitest';
import { removeKey } from './build-root.js';
import { createTrustedSet, type TrustedSet } from './cycle.js';
import { createNodeCrypto } from './node-crypto.js';
import { runCycle } from './refresh.js';
import { checkReleaseUnchanged, desiredRelease, verifyReleaseDocument } from './releases.js';
import { loadTrustedRoot } from './root.js';

const crypto = createNodeCrypto();

async function setup(versions = ['1.0.0']): Promise<{ repo: TufRepository; set: TrustedSet; documents: Record<string, Uint8Array> }> {
  const repo = await createTufRepository();
  const documents: Record<string, Uint8Array> = {};
  for (const version of versions) documents[version] = await repo.publish('auth', version);
  await repo.moveTag('auth', 'stable', versions[0] as string);
  const root = await loadTrustedRoot(repo.files.get('1.root.json') as Uint8Array, crypto);
  const { set } = await cycle(createTrustedSet(root), repo);
  return { repo, set, documents };
}

function cycle(set: TrustedSet, repo: TufRepository) {
  return runCycle(set, { now: repo.now, remotes: ['auth'], source: repo.source(), crypto });
}

describe('desiredRelease (U9)', () => {
  it('resolves a tag to its signed state, a version to its listing, a range to the highest listed match', async () => {
    const { set } = await setup(['1.0.0', '1.1.0', '1.2.0-beta.1', '2.0.0']);
    expect(desiredRelease(set, 'auth', 'stable')).toMatchObject({ version: '1.0.0', tag: { tag: 'stable', seq: 1 } });
    expect(desiredRelease(set, 'auth', '1.1.0')).toMatchObject({ version: '1.1.0', path: 'auth/releases/1.1.0.json', length: expect.any(Number) });
    expect(desiredRelease(set, 'auth', '^1').version).toBe('1.1.0');
    expect(desiredRelease(set, 'auth', '*').version).toBe('2.0.0');
  });

  it('refuses what is not listed, unknown tags, unsatisfied ranges, bad specs and remotes it holds nothing for', async () => {
    const { set } = await setup();
    expect(() => desiredRelease(set, 'auth', '1.9.0')).toThrow(expect.objectContaining({ code: 'MODMESH_RELEASE_NOT_LISTED', version: '1.9.0' }));
    expect(() => desiredRelease(set, 'auth', 'canary')).toThrow(expect.objectContaining({ code: 'MODMESH_NOT_FOUND' }));
    expect(() => desiredRelease(set, 'auth', '^2')).toThrow(expect.objectContaining({ code: 'MODMESH_RANGE_UNSATISFIED' }));
    expect(() => desiredRelease(set, 'auth', 'Not A Spec')).toThrow(expect.objectContaining({ code: 'MODMESH_INVALID_SPEC' }));
    expect(() => desiredRelease(set, 'billing', 'stable')).toThrow(expect.objectContaining({ code: 'MODMESH_RELEASE_NOT_LISTED', remote: 'billing' }));
  });
});

describe('verifyReleaseDocument (R1)', () => {
  it('returns the manifest of a listed document signed by the publishers targets delegates now', async () => {
    const { set, documents } = await setup();
    expect(await verifyReleaseDocument(set, 'auth', '1.0.0', documents['1.0.0'] as Uint8Array, crypto)).toEqual(releaseManifest('auth', '1.0.0'));
  });

  it('is MODMESH_HASH_MISMATCH for bytes other than the listed ones', async () => {
    const { set, documents } = await setup();
    const other = new TextEncoder().encode(canonicalJson(JSON.parse(new TextDecoder().decode(documents['1.0.0']))).replace('remoteEntry', 'remoteEntrx'));
    await expect(verifyReleaseDocument(set, 'auth', '1.0.0', other, crypto)).rejects.toMatchObject({
      code: 'MODMESH_HASH_MISMATCH',
      file: 'auth/releases/1.0.0.json',
    });
  });

  it('is MODMESH_MANIFEST_MISMATCH for a validly signed document of another version listed under this one', async () => {
    const { repo, set } = await setup();
    const document = new TextEncoder().encode(canonicalJson(signRelease(releaseManifest('auth', '1.0.1'), repo.keys.publishers.auth?.privateKeyPem as string)));
    // A publisher lists the 1.0.1 document as 1.0.0's: the role verifies, the manifest does not match its path.
    const releases = structuredClone(repo.current.roles['auth.releases']?.signed) as unknown as { version: number; targets: Record<string, unknown> };
    releases.targets['auth/releases/1.0.2.json'] = { length: document.length, hashes: { sha256: Buffer.from(await crypto.sha256(document)).toString('hex') } };
    await repo.putRole('auth.releases', { signed: { ...releases, version: releases.version + 1 }, signatures: [] }, [repo.keys.publishers.auth as never]);
    await repo.commit();
    const { set: next } = await cycle(set, repo);
    await expect(verifyReleaseDocument(next, 'auth', '1.0.2', document, crypto)).rejects.toMatchObject({ code: 'MODMESH_MANIFEST_MISMATCH' });
  });

  it('refuses a release signed only by a publisher key removed from targets, even when another publisher re-lists it unreviewed', async () => {
    const { repo, set, documents } = await setup();
    const l = await generateTufKey();
    const k = repo.keys.publishers.auth?.signer.keyid as string;
    // Targets +1: L joins auth's publishers; +1 again: K is removed.
    const withL = structuredClone(repo.current.targets.signed);
    withL.delegations?.roles.find((role) => role.name === 'auth.releases')?.keyids.push(l.signer.keyid);
    if (withL.delegations) withL.delegations.keys[l.signer.keyid] = l.signer.key;
    await repo.putRole('targets', { signed: { ...withL, version: withL.version + 1 }, signatures: [] }, repo.keys.root.slice(0, 2));
    await repo.putRole('targets', removeKey(repo.current.targets.signed, k, { remote: 'auth', expires: repo.after(365) }), repo.keys.root.slice(0, 2));
    // L re-signs auth.releases without looking (`modmesh releases refresh --key L`).
    const releases = structuredClone(repo.current.roles['auth.releases']?.signed) as unknown as { version: number };
    await repo.putRole('auth.releases', { signed: { ...releases, version: releases.version + 1 }, signatures: [] }, [l]);
    await repo.commit();
    const { set: next } = await cycle(set, repo);
    expect(desiredRelease(next, 'auth', 'stable').version).toBe('1.0.0');
    await expect(verifyReleaseDocument(next, 'auth', '1.0.0', documents['1.0.0'] as Uint8Array, crypto)).rejects.toMatchObject({
      code: 'MODMESH_KEY_NOT_TRUSTED',
      remote: 'auth',
    });
  });
});

describe('checkReleaseUnchanged (R2)', () => {
  it('is MODMESH_RELEASE_CHANGED when a version seen with one hash is listed with another; a withdrawal is no change', async () => {
    const { set } = await setup();
    const listed = desiredRelease(set, 'auth', '1.0.0');
    expect(() => checkReleaseUnchanged(set, 'auth', { version: '1.0.0', sha256: listed.sha256 })).not.toThrow();
    expect(() => checkReleaseUnchanged(set, 'auth', { version: '1.0.0', sha256: 'd'.repeat(64) })).toThrow(
      expect.objectContaining({ code: 'MODMESH_RELEASE_CHANGED' }),
    );
    expect(() => checkReleaseUnchanged(set, 'auth', { version: '0.9.0', sha256: 'd'.repeat(64) })).not.toThrow();
  });
});
