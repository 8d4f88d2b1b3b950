// Pushing the offline-signed documents (design 16 §4.1): the first root, rotations by the rule
// hosts apply, targets; each refusal coded, and nothing stored when refused.
import {
  ADMIN_TOKEN,
  bearer,
  createTestRegistry,
  createTrustFixture,
  expectAnswer,
  setUpPublisher,
  type TestRegistry,
  type TrustFixture,
} from '@modmesh/registry-test-utils';
import { generateTufKey } from '@modmesh/test-utils';
import { addRemote, type Envelope, type RootSigned, rotateRoot, type TargetsSigned } from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import { beforeEach, describe, expect, it } from 'vitest';

const crypto = createNodeCrypto();
let registry: TestRegistry;
let trust: TrustFixture;

beforeEach(async () => {
  registry = await createTestRegistry();
  trust = await createTrustFixture(registry);
  return () => registry.cleanup();
});

function put(url: string, body: unknown, token = ADMIN_TOKEN) {
  return registry.app.inject({ method: 'PUT', url, headers: bearer(token), payload: body as never });
}

async function head() {
  return (await registry.tuf.engine.context()).head;
}

describe('PUT /v1/tuf/roots/:version', () => {
  it('takes root v1 signed by a threshold of its own keys; v1 signed by one of two is MODMESH_ROOT_INVALID and stores nothing', async () => {
    const once = await trust.sign({ signed: trust.root.signed, signatures: [] }, trust.keys.root.slice(0, 1));
    const refused = await put('/v1/tuf/roots/1', once);
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'MODMESH_ROOT_INVALID']);
    expect(refused.json().error.message).toContain('signed by 1 of the 2 keys');
    expect(await head()).toMatchObject({ root: 0 });

    const accepted = await put('/v1/tuf/roots/1', trust.root);
    expect(expectAnswer('PUT /v1/tuf/roots/:version', accepted)).toEqual({ version: 1 });
    expect(await head()).toMatchObject({ root: 1, targets: 0, timestamp: 0 });
  });

  it('needs the admin token: a publish token is MODMESH_FORBIDDEN, none MODMESH_AUTH_REQUIRED', async () => {
    const { token } = await setUpPublisher(registry, 'auth');
    expect((await put('/v1/tuf/roots/1', trust.root, token)).json().error.code).toBe('MODMESH_FORBIDDEN');
    const anonymous = await registry.app.inject({ method: 'PUT', url: '/v1/tuf/roots/1', payload: trust.root as never });
    expect(anonymous.json().error.code).toBe('MODMESH_AUTH_REQUIRED');
    expect(await head()).toMatchObject({ root: 0 });
  });

  it("refuses a first root other than v1, and a body whose version is not the path's", async () => {
    await trust.push();
    const v2 = await rotated(trust.root.signed, trust.keys.root.slice(0, 2));
    expect((await put('/v1/tuf/roots/3', v2)).json().error.code).toBe('MODMESH_BAD_REQUEST');
    const fresh = await createTestRegistry();
    try {
      const response = await fresh.app.inject({ method: 'PUT', url: '/v1/tuf/roots/2', headers: bearer(ADMIN_TOKEN), payload: v2 as never });
      expect(response.json().error.code).toBe('MODMESH_ROOT_INVALID');
    } finally {
      await fresh.cleanup();
    }
  });

  it('rotates only with a threshold of the old keys and of the new: one of two old keys is MODMESH_ROOT_ROTATION_REFUSED', async () => {
    await trust.push();
    const before = await head();
    const newKeys = await Promise.all([generateTufKey(), generateTufKey()]);
    const draft = await rotateRoot(trust.root.signed, { rootKeys: newKeys.map((pair) => pair.signer.key), threshold: 2, expires: trust.after(365) }, crypto);

    const oneOld = await trust.sign(draft, [trust.keys.root[0]!, ...newKeys]);
    const refused = await put('/v1/tuf/roots/2', oneOld);
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'MODMESH_ROOT_ROTATION_REFUSED']);
    expect(refused.json().error.message).toContain('signed by 1 of the 2 keys of root v1');
    expect(await head()).toEqual(before);

    const noNew = await trust.sign(draft, trust.keys.root.slice(0, 2));
    expect((await put('/v1/tuf/roots/2', noNew)).json().error.code).toBe('MODMESH_ROOT_ROTATION_REFUSED');

    const both = await trust.sign(draft, [...trust.keys.root.slice(0, 2), ...newKeys]);
    expect((await put('/v1/tuf/roots/2', both)).statusCode).toBe(200);
    // Served under the new root: a new snapshot and timestamp, and `tuf.updated`.
    expect(await head()).toMatchObject({ root: 2, snapshot: before.snapshot + 1, timestamp: before.timestamp + 1 });
    expect((await put('/v1/tuf/roots/2', both)).json().error.code).toBe('MODMESH_META_CONFLICT');
  });

  it("refuses a root naming an online key the registry does not hold (MODMESH_ONLINE_KEY_MISSING), an expired one, and one whose timestamp cap is below the registry's expiry", async () => {
    await trust.push();
    const before = await head();
    const other = await generateTufKey();
    const elsewhere = await rotated(trust.root.signed, trust.keys.root.slice(0, 2), { onlineKeys: [other.signer.key] });
    const missing = await put('/v1/tuf/roots/2', elsewhere);
    expect([missing.statusCode, missing.json().error.code]).toEqual([503, 'MODMESH_ONLINE_KEY_MISSING']);

    const expired = await rotated(trust.root.signed, trust.keys.root.slice(0, 2), { expires: '2020-01-01T00:00:00Z' });
    expect((await put('/v1/tuf/roots/2', expired)).json().error.code).toBe('MODMESH_ROOT_EXPIRED');

    const capped = await rotated(trust.root.signed, trust.keys.root.slice(0, 2), { timestampMaxLifetime: 600 });
    const tooShort = await put('/v1/tuf/roots/2', capped);
    expect([tooShort.json().error.code, tooShort.json().error.message]).toEqual(['MODMESH_META_INVALID', expect.stringContaining('600 s')]);
    expect(await head()).toEqual(before);
  });
});

describe('PUT /v1/tuf/targets/:version', () => {
  it("needs a root first (MODMESH_NOT_FOUND), then a threshold of the root's targets keys (MODMESH_META_SIGNATURE)", async () => {
    expect((await put(`/v1/tuf/targets/${trust.targets.signed.version}`, trust.targets)).json().error.code).toBe('MODMESH_NOT_FOUND');
    expect((await put('/v1/tuf/roots/1', trust.root)).statusCode).toBe(200);
    const forged = await trust.sign({ signed: trust.targets.signed, signatures: [] }, [trust.keys.publishers.auth!, trust.keys.root[0]!]);

    const refused = await put(`/v1/tuf/targets/${trust.targets.signed.version}`, forged);

    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'MODMESH_META_SIGNATURE']);
    expect(await head()).toMatchObject({ targets: 0, snapshot: 0 });
    expect((await put(`/v1/tuf/targets/${trust.targets.signed.version}`, trust.targets)).statusCode).toBe(200);
    expect(await head()).toMatchObject({ targets: trust.targets.signed.version, snapshot: 1, timestamp: 1 });
  });

  it('refuses an older or equal version (MODMESH_META_CONFLICT), an expired one (MODMESH_META_EXPIRED), and targets that list files (MODMESH_META_INVALID)', async () => {
    await trust.push();
    const version = trust.targets.signed.version;
    expect((await put(`/v1/tuf/targets/${version}`, trust.targets)).json().error.code).toBe('MODMESH_META_CONFLICT');

    const expired = await trust.sign(
      { signed: { ...trust.targets.signed, version: version + 1, expires: '2020-01-01T00:00:00Z' }, signatures: [] },
      trust.keys.root,
    );
    expect((await put(`/v1/tuf/targets/${version + 1}`, expired)).json().error.code).toBe('MODMESH_META_EXPIRED');

    const withFiles = await trust.sign(
      {
        signed: { ...trust.targets.signed, version: version + 1, targets: { 'auth/releases/1.0.0.json': { length: 1, hashes: { sha256: 'a'.repeat(64) } } } },
        signatures: [],
      },
      trust.keys.root,
    );
    expect((await put(`/v1/tuf/targets/${version + 1}`, withFiles)).json().error.code).toBe('MODMESH_META_INVALID');
    expect(await head()).toMatchObject({ targets: version });
  });

  it('takes a targets that skips versions drafted offline (two add-remotes pushed as one)', async () => {
    await trust.push();
    const billing = await Promise.all([generateTufKey(), generateTufKey()]);
    let next: Envelope<TargetsSigned> = await addRemote(
      trust.targets.signed,
      { remote: 'billing', publishers: [billing[0]!.signer.key], movers: [billing[1]!.signer.key], expires: trust.after(365) },
      crypto,
    );
    next = { signed: { ...next.signed, version: next.signed.version + 1 }, signatures: [] };
    const signed = await trust.sign(next, trust.keys.root.slice(1));

    expect((await put(`/v1/tuf/targets/${next.signed.version}`, signed)).statusCode).toBe(200);
    expect(await head()).toMatchObject({ targets: trust.targets.signed.version + 2 });
  });
});

// --- internal ---

async function rotated(
  current: RootSigned,
  signers: TrustFixture['keys']['root'],
  changes: Parameters<typeof rotateRoot>[1] extends infer C ? Partial<C> : never = {},
) {
  const draft = await rotateRoot(current, { expires: trust.after(365), ...changes }, crypto);
  return trust.sign(draft, signers);
}
