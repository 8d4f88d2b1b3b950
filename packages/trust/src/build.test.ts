import { generateTufKey, type TufKeyPair } from '@modmesh/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReleasesUpdate } from './build-roles.js';
import { addRemote, draftRoot, draftTargets, removeKey, rotateRoot } from './build-root.js';
import { keyIdOf } from './keys.js';
import { createNodeCrypto } from './node-crypto.js';
import { loadTrustedRoot, verifyRootUpdate } from './root.js';
import { addSignature, documentBytes, signingKeyids } from './sign.js';

const crypto = createNodeCrypto();
const expires = '2027-12-01T00:00:00Z';
let [a, b, c, online, publisher, mover]: TufKeyPair[] = [];

beforeAll(async () => {
  [a, b, c, online, publisher, mover] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => generateTufKey()));
});

const key = (pair: TufKeyPair | undefined) => (pair as TufKeyPair).signer.key;
const id = (pair: TufKeyPair | undefined) => (pair as TufKeyPair).signer.keyid;

describe('root create / rotate drafts', () => {
  it('default to a 2-of-N root, targets signed by the root keys, and one online key for timestamp and snapshot', async () => {
    const { signed, signatures } = await draftRoot({ rootKeys: [key(a), key(b), key(c)], onlineKeys: [key(online)], expires }, crypto);
    expect(signatures).toEqual([]);
    expect(signed).toMatchObject({ _type: 'root', spec_version: '1.0.34', version: 1, consistent_snapshot: true });
    expect(signed.roles.root).toEqual({ keyids: [id(a), id(b), id(c)], threshold: 2 });
    expect(signed.roles.targets).toEqual(signed.roles.root);
    expect(signed.roles.timestamp).toEqual({ keyids: [id(online)], threshold: 1 });
    expect(await keyIdOf(key(a), crypto)).toBe(id(a));
  });

  it('refuse a threshold the keys cannot reach', async () => {
    await expect(draftRoot({ rootKeys: [key(a)], onlineKeys: [key(online)], expires }, crypto)).rejects.toMatchObject({
      code: 'MODMESH_META_INVALID',
      message: expect.stringContaining('2 is more than the 1 keys'),
    });
  });

  it('rotate to N+1, keeping unknown fields and dropping keys no role names', async () => {
    const v1 = await draftRoot({ rootKeys: [key(a), key(b)], onlineKeys: [key(online)], expires, labels: { [id(a)]: 'alice laptop' } }, crypto);
    const extended = { ...v1.signed, x_future: { kept: true } };
    const v2 = await rotateRoot(extended, { rootKeys: [key(b), key(c)], targetsKeys: [key(b), key(c)], expires }, crypto);
    expect(v2.signed.version).toBe(2);
    expect((v2.signed as Record<string, unknown>).x_future).toEqual({ kept: true });
    expect(Object.keys(v2.signed.keys).sort()).toEqual([id(b), id(c), id(online)].sort());
    expect(v2.signed.x_modmesh?.labels).toEqual({});
  });

  it('sign a rotation with old and new root keys, and refuse a key that is in neither', async () => {
    const v1 = await draftRoot({ rootKeys: [key(a), key(b)], onlineKeys: [key(online)], expires }, crypto);
    let signed1 = v1;
    for (const pair of [a, b]) signed1 = await addSignature(signed1, (pair as TufKeyPair).signer, signingKeyids('root', v1.signed, {}));
    const trusted = await loadTrustedRoot(documentBytes(signed1), crypto);
    const v2 = await rotateRoot(v1.signed, { rootKeys: [key(b), key(c)], expires }, crypto);
    const allowed = signingKeyids('root', v2.signed, { root: v1.signed });
    expect(allowed.sort()).toEqual([id(a), id(b), id(c)].sort());
    await expect(addSignature(v2, (online as TufKeyPair).signer, allowed)).rejects.toMatchObject({ code: 'MODMESH_KEY_NOT_TRUSTED' });
    let signed2 = v2;
    for (const pair of [a, b, c]) signed2 = await addSignature(signed2, (pair as TufKeyPair).signer, allowed);
    // Signing again with the same key replaces its signature rather than adding a duplicate.
    signed2 = await addSignature(signed2, (c as TufKeyPair).signer, allowed);
    expect(signed2.signatures).toHaveLength(3);
    expect((await verifyRootUpdate(trusted, documentBytes(signed2), crypto)).signed.version).toBe(2);
  });

  it('refuse to sign text that breaks the §2.1 rules', async () => {
    const v1 = await draftRoot({ rootKeys: [key(a), key(b)], onlineKeys: [key(online)], expires }, crypto);
    const bad = { ...v1, signed: { ...v1.signed, note: 'tab\there' } };
    await expect(addSignature(bad, (a as TufKeyPair).signer, [id(a)])).rejects.toMatchObject({
      code: 'MODMESH_META_INVALID',
      message: expect.stringContaining('nothing was signed'),
    });
  });
});

describe('targets drafts: add-remote, remove-key', () => {
  it('delegate the two roles of a remote, each terminating on its own paths', async () => {
    const added = await addRemote(
      draftTargets(expires).signed,
      { remote: 'auth', publishers: [key(publisher)], movers: [key(mover)], moverThreshold: 1, expires },
      crypto,
    );
    expect(added.signed.version).toBe(2);
    expect(added.signed.delegations?.roles).toEqual([
      { name: 'auth.releases', keyids: [id(publisher)], threshold: 1, terminating: true, paths: ['auth/releases/*'] },
      { name: 'auth.tags', keyids: [id(mover)], threshold: 1, terminating: true, paths: ['auth/tags/*'] },
    ]);
    await expect(addRemote(added.signed, { remote: 'auth', publishers: [key(publisher)], movers: [key(mover)], expires }, crypto)).rejects.toMatchObject({
      code: 'MODMESH_META_INVALID',
      message: expect.stringContaining('already delegates auth'),
    });
  });

  it('remove a key (revocation), refusing one that would leave a role below its threshold or that no role names', async () => {
    const added = await addRemote(
      draftTargets(expires).signed,
      { remote: 'auth', publishers: [key(publisher), key(a)], movers: [key(mover)], expires },
      crypto,
    );
    const removed = removeKey(added.signed, id(publisher), { remote: 'auth', expires });
    expect(removed.signed.delegations?.roles[0]?.keyids).toEqual([id(a)]);
    expect(Object.keys(removed.signed.delegations?.keys ?? {})).not.toContain(id(publisher));
    expect(() => removeKey(removed.signed, id(a), { expires })).toThrow(
      expect.objectContaining({ code: 'MODMESH_META_INVALID', message: expect.stringContaining('add a key first') }),
    );
    expect(() => removeKey(removed.signed, id(publisher), { expires })).toThrow(expect.objectContaining({ code: 'MODMESH_NOT_FOUND' }));
  });
});

describe('releases role drafts (publish)', () => {
  it('list a new release at +1, and refuse a version already listed', async () => {
    const document = new TextEncoder().encode('{"manifest":{}}');
    const v1 = await buildReleasesUpdate(undefined, { remote: 'auth', add: { version: '1.0.0', document }, expires }, crypto);
    expect(v1.signed.version).toBe(1);
    expect(v1.signed.targets['auth/releases/1.0.0.json']).toEqual({
      length: document.length,
      hashes: { sha256: Buffer.from(await crypto.sha256(document)).toString('hex') },
    });
    await expect(buildReleasesUpdate(v1.signed, { remote: 'auth', add: { version: '1.0.0', document }, expires }, crypto)).rejects.toMatchObject({
      code: 'MODMESH_VERSION_EXISTS',
    });
    const yanked = await buildReleasesUpdate(v1.signed, { remote: 'auth', remove: ['1.0.0'], expires }, crypto);
    expect(yanked.signed).toMatchObject({ version: 2, targets: {} });
  });
});
