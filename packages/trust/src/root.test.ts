import { canonicalJson } from '@modmesh/manifest';
import { generateTufKey, type TufKeyPair } from '@modmesh/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { draftRoot, rotateRoot } from './build-root.js';
import type { Envelope } from './document.js';
import { createNodeCrypto } from './node-crypto.js';
import { loadTrustedRoot, type TrustedRoot, verifyRootChain, verifyRootUpdate } from './root.js';
import type { RootSigned } from './schema.js';
import { addSignature, documentBytes } from './sign.js';
import { utf8 } from './text.js';

const crypto = createNodeCrypto();
const expires = '2027-12-01T00:00:00Z';
let a: TufKeyPair, b: TufKeyPair, c: TufKeyPair, x: TufKeyPair, online: TufKeyPair;
let root1: Envelope<RootSigned>;
let trusted: TrustedRoot;

async function signWith<T>(envelope: Envelope<T>, signers: TufKeyPair[]): Promise<Envelope<T>> {
  let signed = envelope;
  for (const pair of signers) signed = await addSignature(signed, pair.signer, [pair.signer.keyid]);
  return signed;
}

const bytesOf = (envelope: Envelope<unknown>) => documentBytes(envelope);

beforeAll(async () => {
  [a, b, c, x, online] = (await Promise.all([1, 2, 3, 4, 5].map(() => generateTufKey()))) as [TufKeyPair, TufKeyPair, TufKeyPair, TufKeyPair, TufKeyPair];
  // v1: {A, B} threshold 2, as in the "one of two root keys stolen" attack of §3.
  root1 = await draftRoot({ rootKeys: [a.signer.key, b.signer.key], threshold: 2, onlineKeys: [online.signer.key], expires }, crypto);
  trusted = await loadTrustedRoot(bytesOf(await signWith(root1, [a, b])), crypto);
});

describe('loadTrustedRoot (B1)', () => {
  it('trusts a root signed by a threshold of its own root keys', () => {
    expect(trusted.signed.version).toBe(1);
    expect(trusted.signed.roles.root).toEqual({ keyids: [a.signer.keyid, b.signer.keyid], threshold: 2 });
  });

  it('refuses a root signed by fewer than its threshold: MODMESH_ROOT_INVALID', async () => {
    await expect(loadTrustedRoot(bytesOf(await signWith(root1, [a])), crypto)).rejects.toMatchObject({
      code: 'MODMESH_ROOT_INVALID',
      message: 'root.json v1 is signed by 1 of the 2 keys of its own root role needed',
    });
  });

  it('refuses a keyid that is not the SHA-256 of its key', async () => {
    // The registry (or a cache) relabels B's key with A's keyid so one key would count twice.
    const signed = structuredClone(root1.signed);
    const forged = { ...signed, keys: { ...signed.keys, [b.signer.keyid]: a.signer.key } };
    const envelope = await signWith({ signed: forged, signatures: [] }, [a, b]);
    await expect(loadTrustedRoot(bytesOf(envelope), crypto)).rejects.toMatchObject({
      code: 'MODMESH_ROOT_INVALID',
      message: expect.stringContaining(`names key ${b.signer.keyid}, which is not the SHA-256`),
    });
  });

  it('refuses duplicate keyids in signatures', async () => {
    const envelope = await signWith(root1, [a, b]);
    const doubled = { ...envelope, signatures: [...envelope.signatures, envelope.signatures[0]] };
    await expect(loadTrustedRoot(utf8(canonicalJson(doubled)), crypto)).rejects.toMatchObject({
      code: 'MODMESH_ROOT_INVALID',
      message: expect.stringContaining('twice'),
    });
  });

  it('refuses what is not a root: another _type, a root over the cap, not JSON', async () => {
    const timestampish = { signed: { ...root1.signed, _type: 'timestamp' }, signatures: [] };
    await expect(loadTrustedRoot(bytesOf(await signWith(timestampish, [a, b])), crypto)).rejects.toMatchObject({ code: 'MODMESH_ROOT_INVALID' });
    await expect(loadTrustedRoot(new Uint8Array(64 * 1024 + 1).fill(32), crypto)).rejects.toMatchObject({
      code: 'MODMESH_ROOT_INVALID',
      message: expect.stringContaining('65537 bytes'),
    });
    await expect(loadTrustedRoot(utf8('{"signed":'), crypto)).rejects.toMatchObject({
      code: 'MODMESH_ROOT_INVALID',
      message: expect.stringContaining('not JSON'),
    });
  });
});

describe('verifyRootUpdate (U1)', () => {
  it('accepts N+1 signed by a threshold of the old root keys and of its own', async () => {
    const next = await rotateRoot(trusted.signed, { rootKeys: [a.signer.key, c.signer.key], threshold: 2, expires }, crypto);
    const accepted = await verifyRootUpdate(trusted, bytesOf(await signWith(next, [a, b, c])), crypto);
    expect(accepted.signed.version).toBe(2);
    expect(accepted.signed.roles.root.keyids).toEqual([a.signer.keyid, c.signer.keyid]);
    // B still signs targets (the targets role keeps its keys unless rotated itself).
    expect(accepted.signed.roles.targets.keyids).toEqual([a.signer.keyid, b.signer.keyid]);
  });

  it('refuses a rotation by one of two old keys (the stolen-key attack), naming the old root', async () => {
    const next = await rotateRoot(trusted.signed, { rootKeys: [a.signer.key, x.signer.key], threshold: 1, expires }, crypto);
    await expect(verifyRootUpdate(trusted, bytesOf(await signWith(next, [a, x])), crypto)).rejects.toMatchObject({
      code: 'MODMESH_ROOT_ROTATION_REFUSED',
      message: 'root.json v2 is signed by 1 of the 2 keys of root v1 (the trusted root) needed',
    });
  });

  it("requires the new root's own threshold too", async () => {
    const next = await rotateRoot(trusted.signed, { rootKeys: [c.signer.key, x.signer.key], threshold: 2, expires }, crypto);
    await expect(verifyRootUpdate(trusted, bytesOf(await signWith(next, [a, b, c])), crypto)).rejects.toMatchObject({
      code: 'MODMESH_ROOT_ROTATION_REFUSED',
      message: 'root.json v2 is signed by 1 of the 2 keys of its own root role needed',
    });
  });

  it('refuses a skipped version', async () => {
    const next = await rotateRoot(trusted.signed, { expires }, crypto);
    const skipping = { ...next, signed: { ...next.signed, version: 3 } };
    await expect(verifyRootUpdate(trusted, bytesOf(await signWith(skipping, [a, b])), crypto)).rejects.toMatchObject({
      code: 'MODMESH_ROOT_ROTATION_REFUSED',
      message: 'root.json v3 is not the next version after the trusted v1',
    });
  });

  it('ignores signatures by keys outside the role and counts each key once', async () => {
    const next = await rotateRoot(trusted.signed, { expires }, crypto);
    // A, plus the online key and X (neither a root key): still 1 of 2.
    const padded = await signWith(next, [a, online, x]);
    await expect(verifyRootUpdate(trusted, bytesOf(padded), crypto)).rejects.toMatchObject({ message: expect.stringContaining('signed by 1 of the 2') });
    // A's signature twice under one keyid is refused outright; under a made-up keyid it does not count.
    const aSig = padded.signatures.find((item) => item.keyid === a.signer.keyid);
    const relabelled = { ...padded, signatures: [...padded.signatures, { keyid: 'f'.repeat(64), sig: aSig?.sig as string }] };
    await expect(verifyRootUpdate(trusted, utf8(canonicalJson(relabelled)), crypto)).rejects.toMatchObject({
      message: expect.stringContaining('signed by 1 of the 2'),
    });
  });

  it('refuses a signature that does not match the document (altered after signing)', async () => {
    const next = await signWith(await rotateRoot(trusted.signed, { expires }, crypto), [a, b]);
    const altered = { ...next, signed: { ...next.signed, expires: '2099-01-01T00:00:00Z' } };
    await expect(verifyRootUpdate(trusted, bytesOf(altered), crypto)).rejects.toMatchObject({ message: expect.stringContaining('signed by 0 of the 2') });
  });
});

describe('verifyRootChain (B2)', () => {
  it('re-verifies the persisted chain from the configured root and keeps the last good root', async () => {
    const v2 = await signWith(await rotateRoot(trusted.signed, { expires }, crypto), [a, b]);
    const v3bad = await signWith(await rotateRoot(v2.signed, { expires }, crypto), [a]);
    const chain = [utf8(trusted.text), bytesOf(v2), bytesOf(v3bad)];
    const walked = await verifyRootChain(trusted, chain, crypto);
    expect(walked.root.signed.version).toBe(2);
    expect(walked.accepted).toBe(1);
    expect(walked.refused?.code).toBe('MODMESH_ROOT_ROTATION_REFUSED');
  });

  it('discards a chain that does not start at the configured root', async () => {
    const other = await loadTrustedRoot(
      bytesOf(await signWith(await draftRoot({ rootKeys: [x.signer.key], threshold: 1, onlineKeys: [online.signer.key], expires }, crypto), [x])),
      crypto,
    );
    const v2 = await signWith(await rotateRoot(other.signed, { expires }, crypto), [x]);
    const walked = await verifyRootChain(trusted, [utf8(other.text), bytesOf(v2)], crypto);
    expect(walked.root).toBe(trusted);
    expect(walked.refused).toMatchObject({ code: 'MODMESH_ROOT_ROTATION_REFUSED', message: expect.stringContaining('persisted root chain') });
  });
});
