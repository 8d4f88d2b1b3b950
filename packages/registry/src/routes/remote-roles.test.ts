// Root mode for a remote (design 16 §4.1): publishes carrying R.releases N+1, tag moves as
// R.tags N+1 signed by a mover, adoption from legacy mode, and the legacy routes closed.
import { createPublicKey } from 'node:crypto';
import { canonicalJson, formatPublicKey, keyIdOf, signRelease } from '@modmesh/manifest';
import {
  ADMIN_TOKEN,
  admin,
  bearer,
  createTestRegistry,
  createTrustFixture,
  expectAnswer,
  publishFixture,
  releaseFixture,
  type TestRegistry,
  type TrustFixture,
  uploadFiles,
} from '@modmesh/registry-test-utils';
import { generateTufKey } from '@modmesh/test-utils';
import { buildReleasesUpdate, buildTagsUpdate, type ReleasesSigned, type TagsSigned } from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import { beforeEach, describe, expect, it } from 'vitest';

const crypto = createNodeCrypto();
let registry: TestRegistry;
let trust: TrustFixture;
let token: string;

beforeEach(async () => {
  registry = await createTestRegistry();
  trust = await createTrustFixture(registry);
  await trust.push();
  token = (await registry.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { remote: 'auth' } })).json().token;
  return () => registry.cleanup();
});

function request(method: 'PUT' | 'POST', url: string, payload: unknown, as = token) {
  return registry.app.inject({ method, url, headers: bearer(as), payload: payload as never });
}

async function state() {
  const { head } = await registry.tuf.engine.context();
  return {
    head,
    tags: await registry.app.inject({ url: '/v1/remotes/auth/tags' }).then((r) => r.json()),
    versions: (await registry.app.inject({ url: '/v1/remotes/auth' })).json().versions ?? [],
  };
}

describe('POST /v1/remotes/:name/releases in root mode', () => {
  it('publishes a release with R.releases N+1, and tags it with R.tags N+1, in one step with its events', async () => {
    const first = await trust.publish(releaseFixture('auth', '1.0.0'), token);
    expect(expectAnswer('POST /v1/remotes/:name/releases', first)).toEqual({ name: 'auth', version: '1.0.0', files: 2, releasesVersion: 1 });
    const second = await trust.publish(releaseFixture('auth', '1.1.0'), token, { tag: 'stable' });

    expect(expectAnswer('POST /v1/remotes/:name/releases', second)).toEqual({
      name: 'auth',
      version: '1.1.0',
      files: 2,
      tag: 'stable',
      releasesVersion: 2,
      tagsVersion: 1,
    });
    expect((await state()).tags.tags).toMatchObject([{ tag: 'stable', version: '1.1.0', seq: 1 }]);
    const history = (await registry.app.inject({ url: '/v1/remotes/auth/tags/stable/history' })).json().history;
    expect(history).toMatchObject([{ from: null, to: '1.1.0', kind: 'move', roleVersion: 1, signers: [trust.keys.movers.auth!.signer.keyid] }]);
    const events = (await registry.metadata.eventsAfter(0, 100)).map((event) => event.type);
    // The targets push made the first timestamp.
    expect(events).toEqual(['tuf.updated', 'release.published', 'tuf.updated', 'release.published', 'tag.moved', 'tuf.updated']);
    expect((await registry.app.inject({ url: '/v1/remotes/auth/releases/1.1.0' })).json().manifest).toMatchObject({ version: '1.1.0' });
  });

  it("refuses a role not signed by the remote's publishers (MODMESH_META_SIGNATURE) and stores nothing", async () => {
    const release = releaseFixture('auth', '1.0.0');
    await uploadFiles(registry, 'auth', token, release.files);
    const body = await trust.publishBody(release);
    const forged = await trust.sign({ signed: (body.role as { signed: ReleasesSigned }).signed, signatures: [] }, [trust.keys.movers.auth!]);
    const before = await state();

    const refused = await request('POST', '/v1/remotes/auth/releases', { ...body, role: forged });

    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'MODMESH_META_SIGNATURE']);
    expect(refused.json().error.message).toContain('auth.releases.json v1 is signed by 0 of the 1 keys');
    expect(await state()).toEqual(before);
  });

  it('refuses a role built on an older version (MODMESH_META_CONFLICT), a role listing other bytes (MODMESH_HASH_MISMATCH) or more than the release (MODMESH_META_INVALID)', async () => {
    expect((await trust.publish(releaseFixture('auth', '1.0.0'), token)).statusCode).toBe(201);
    const release = releaseFixture('auth', '1.1.0');
    await uploadFiles(registry, 'auth', token, release.files);
    const document = signRelease(release.manifest, trust.keys.publishers.auth!.privateKeyPem);
    const bytes = new TextEncoder().encode(canonicalJson(document));
    const publisher = [trust.keys.publishers.auth!];

    const stale = await trust.sign(
      await buildReleasesUpdate(undefined, { remote: 'auth', add: { version: '1.1.0', document: bytes }, expires: trust.after(30) }, crypto),
      publisher,
    );
    const conflict = await request('POST', '/v1/remotes/auth/releases', { document, role: stale });
    expect([conflict.statusCode, conflict.json().error.code]).toEqual([409, 'MODMESH_META_CONFLICT']);

    const current = (await trust.role('auth.releases'))?.signed;
    const other = new TextEncoder().encode(canonicalJson({ ...document, note: 'other bytes' }));
    const wrongBytes = await trust.sign(
      await buildReleasesUpdate(current, { remote: 'auth', add: { version: '1.1.0', document: other }, expires: trust.after(30) }, crypto),
      publisher,
    );
    expect((await request('POST', '/v1/remotes/auth/releases', { document, role: wrongBytes })).json().error.code).toBe('MODMESH_HASH_MISMATCH');

    const two = await buildReleasesUpdate(current, { remote: 'auth', add: { version: '1.1.0', document: bytes }, expires: trust.after(30) }, crypto);
    two.signed.targets['auth/releases/9.9.9.json'] = { length: 1, hashes: { sha256: 'b'.repeat(64) } };
    const extra = await request('POST', '/v1/remotes/auth/releases', { document, role: await trust.sign(two, publisher) });
    expect(extra.json().error.code).toBe('MODMESH_META_INVALID');
    expect((await state()).versions.map((entry: { version: string }) => entry.version)).toEqual(['1.0.0']);
  });

  it('refuses a document signed by a key the root does not delegate (R1: MODMESH_KEY_NOT_TRUSTED), and a missing file (MODMESH_FILE_MISSING)', async () => {
    const release = releaseFixture('auth', '1.0.0');
    const stranger = await generateTufKey();
    await uploadFiles(registry, 'auth', token, release.files);
    const byStranger = await trust.publishBody(release, { publisher: stranger });
    const resigned = await trust.sign({ signed: (byStranger.role as { signed: ReleasesSigned }).signed, signatures: [] }, [trust.keys.publishers.auth!]);
    const untrusted = await request('POST', '/v1/remotes/auth/releases', { ...byStranger, role: resigned });
    expect([untrusted.statusCode, untrusted.json().error.code]).toEqual([403, 'MODMESH_KEY_NOT_TRUSTED']);

    const unseen = releaseFixture('auth', '1.0.1', 'never uploaded');
    const missing = await request('POST', '/v1/remotes/auth/releases', await trust.publishBody(unseen));
    expect(missing.json().error.code).toBe('MODMESH_FILE_MISSING');
    expect((await state()).head.current['auth.releases']).toBeUndefined();
  });

  it('refuses a tag on publish without R.tags (MODMESH_SIGNATURE_MISSING) or with R.tags signed by a publisher (MODMESH_META_SIGNATURE)', async () => {
    const release = releaseFixture('auth', '1.0.0');
    await uploadFiles(registry, 'auth', token, release.files);
    const body = await trust.publishBody(release, { tag: 'stable', mover: trust.keys.publishers.auth! });
    const { tagsRole: _tags, ...untagged } = body;

    expect((await request('POST', '/v1/remotes/auth/releases', { ...untagged, tag: 'stable' })).json().error.code).toBe('MODMESH_SIGNATURE_MISSING');
    expect((await request('POST', '/v1/remotes/auth/releases', body)).json().error.code).toBe('MODMESH_META_SIGNATURE');
    expect((await state()).versions).toEqual([]);
  });

  it("refuses an unsigned (legacy) publish once the remote's releases are signed: MODMESH_SIGNATURE_MISSING naming the command", async () => {
    expect((await trust.publish(releaseFixture('auth', '1.0.0'), token)).statusCode).toBe(201);
    const delegated = { privateKeyPem: trust.keys.publishers.auth!.privateKeyPem, publicKey: '', keyId: '' };

    const legacy = await publishFixture(registry, releaseFixture('auth', '1.1.0'), { key: delegated, token });

    expect([legacy.statusCode, legacy.json().error.code]).toEqual([400, 'MODMESH_SIGNATURE_MISSING']);
    expect(legacy.json().error.hint).toContain('--root');
  });
});

describe('PUT /v1/remotes/:name/tags (R.tags N+1)', () => {
  beforeEach(async () => {
    expect((await trust.publish(releaseFixture('auth', '1.0.0'), token, { tag: 'stable' })).statusCode).toBe(201);
    expect((await trust.publish(releaseFixture('auth', '1.1.0'), token)).statusCode).toBe(201);
  });

  it('moves and rolls back tags by signed statements; a stale one is MODMESH_TAG_CONFLICT', async () => {
    const move = await trust.tagsRole('auth', 'stable', '1.1.0');
    const moved = await request('PUT', '/v1/remotes/auth/tags', move);
    expect(expectAnswer('PUT /v1/remotes/:name/tags', moved)).toMatchObject({
      name: 'auth',
      tagsVersion: 2,
      moves: [{ tag: 'stable', from: '1.0.0', to: '1.1.0', seq: 2, kind: 'move' }],
    });

    const conflict = await request('PUT', '/v1/remotes/auth/tags', move);
    expect([conflict.statusCode, conflict.json().error.code]).toEqual([409, 'MODMESH_TAG_CONFLICT']);

    const back = await request('PUT', '/v1/remotes/auth/tags', await trust.tagsRole('auth', 'stable', '1.0.0', { rollback: true, reason: 'broken login' }));
    expect(expectAnswer('PUT /v1/remotes/:name/tags', back).moves).toMatchObject([
      { from: '1.1.0', to: '1.0.0', seq: 3, kind: 'rollback', reason: 'broken login' },
    ]);
    expect((await state()).tags.tags).toMatchObject([{ tag: 'stable', version: '1.0.0', seq: 3 }]);
  });

  it("refuses a move signed by the publisher or the registry's online key (MODMESH_META_SIGNATURE), and a rollback not marked (T1: MODMESH_TAG_STATE_INVALID)", async () => {
    await request('PUT', '/v1/remotes/auth/tags', await trust.tagsRole('auth', 'stable', '1.1.0'));
    const before = await state();
    const online = registry.tuf.engine.signer.held()[0]!;
    const byOnline = await trust.tagsRole('auth', 'stable', '1.0.0', { rollback: true, signers: [{ signer: online, privateKeyPem: '' }] });
    expect((await request('PUT', '/v1/remotes/auth/tags', byOnline)).json().error.code).toBe('MODMESH_META_SIGNATURE');
    const byPublisher = await trust.tagsRole('auth', 'stable', '1.0.0', { rollback: true, signers: [trust.keys.publishers.auth!] });
    expect((await request('PUT', '/v1/remotes/auth/tags', byPublisher)).json().error.code).toBe('MODMESH_META_SIGNATURE');

    const unmarked = await trust.tagsRole('auth', 'stable', '1.0.0', { rollback: true });
    const state1 = (unmarked.signed as TagsSigned).targets['auth/tags/stable']!.custom.modmesh;
    state1.rollback = false;
    const refused = await request('PUT', '/v1/remotes/auth/tags', await trust.sign({ signed: unmarked.signed, signatures: [] }, [trust.keys.movers.auth!]));
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'MODMESH_TAG_STATE_INVALID']);
    expect(await state()).toEqual(before);
  });

  it('refuses a tag on a legacy publish once the tags are signed, while releases are still legacy', async () => {
    const fresh = await createTestRegistry();
    try {
      const freshTrust = await createTrustFixture(fresh);
      const privateKeyPem = freshTrust.keys.publishers.auth!.privateKeyPem;
      const publicKey = formatPublicKey(createPublicKey(privateKeyPem));
      await fresh.app.inject({ method: 'POST', url: '/v1/remotes/auth/keys', headers: admin(), payload: { publicKey } });
      await freshTrust.push();
      const freshToken = (await fresh.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { remote: 'auth' } })).json().token;
      // tags adopt of a remote with no tags: an empty auth.tags v1, signed by its mover.
      const empty = await freshTrust.sign(
        { signed: { _type: 'targets', spec_version: '1.0.34', version: 1, expires: freshTrust.after(365), targets: {} }, signatures: [] },
        [freshTrust.keys.movers.auth!],
      );
      expect((await fresh.app.inject({ method: 'PUT', url: '/v1/remotes/auth/tags', headers: bearer(freshToken), payload: empty as never })).statusCode).toBe(
        200,
      );
      const key = { privateKeyPem, publicKey, keyId: keyIdOf(publicKey) };

      const tagged = await publishFixture(fresh, releaseFixture('auth', '1.0.0'), { key, token: freshToken }, { tag: 'stable' });
      expect([tagged.statusCode, tagged.json().error.code]).toEqual([400, 'MODMESH_SIGNATURE_MISSING']);
      expect((await publishFixture(fresh, releaseFixture('auth', '1.0.0'), { key, token: freshToken })).statusCode).toBe(201);
      expect((await fresh.app.inject({ url: '/v1/remotes/auth/tags' })).json().tags).toEqual([]);
    } finally {
      await fresh.cleanup();
    }
  });

  it('closes the legacy routes for the remote: a move by the registry is MODMESH_SIGNATURE_MISSING, a key by admin MODMESH_FORBIDDEN', async () => {
    const legacy = await request('PUT', '/v1/remotes/auth/tags/stable', { version: '1.1.0', expect: '1.0.0' });
    expect([legacy.statusCode, legacy.json().error.code]).toEqual([400, 'MODMESH_SIGNATURE_MISSING']);
    expect(legacy.json().error.hint).toContain('modmesh tag set auth');
    expect((await request('POST', '/v1/remotes/auth/tags/stable/rollback', {})).json().error.code).toBe('MODMESH_SIGNATURE_MISSING');
    const key = await request('POST', '/v1/remotes/auth/keys', { publicKey: 'ed25519:AAAA' }, ADMIN_TOKEN);
    expect([key.statusCode, key.json().error.code]).toEqual([403, 'MODMESH_FORBIDDEN']);
    // The caller's right comes first: anonymous is told to authenticate.
    const anonymous = await registry.app.inject({ method: 'PUT', url: '/v1/remotes/auth/tags/stable', payload: { version: '1.1.0', expect: '1.0.0' } });
    expect(anonymous.json().error.code).toBe('MODMESH_AUTH_REQUIRED');
  });

  it('answers resolves with the new state right after a signed move or rollback (resolves are kept in memory)', async () => {
    const resolve = async (spec: string) =>
      expectAnswer('GET /v1/remotes/:name/resolve/:spec', await registry.app.inject({ url: `/v1/remotes/auth/resolve/${spec}` }));
    expect(await resolve('stable')).toMatchObject({ version: '1.0.0', tag: { seq: 1 } });
    expect(await resolve('%5E1')).toMatchObject({ version: '1.1.0' });

    expect((await request('PUT', '/v1/remotes/auth/tags', await trust.tagsRole('auth', 'stable', '1.1.0'))).statusCode).toBe(200);
    expect(await resolve('stable')).toMatchObject({ version: '1.1.0', tag: { seq: 2, kind: 'move' } });
    const back = await trust.tagsRole('auth', 'stable', '1.0.0', { rollback: true, reason: 'broken login' });
    expect((await request('PUT', '/v1/remotes/auth/tags', back)).statusCode).toBe(200);
    expect(await resolve('stable')).toMatchObject({ version: '1.0.0', tag: { seq: 3, kind: 'rollback' } });
  });

  it('refuses withdrawing a release a tag points at (MODMESH_TAG_STATE_INVALID); another one withdraws', async () => {
    const current = (await trust.role('auth.releases'))?.signed;
    const publisher = [trust.keys.publishers.auth!];
    const yankTagged = await trust.sign(await buildReleasesUpdate(current, { remote: 'auth', remove: ['1.0.0'], expires: trust.after(30) }, crypto), publisher);
    expect((await request('PUT', '/v1/remotes/auth/releases', yankTagged)).json().error.code).toBe('MODMESH_TAG_STATE_INVALID');

    const yank = await trust.sign(await buildReleasesUpdate(current, { remote: 'auth', remove: ['1.1.0'], expires: trust.after(30) }, crypto), publisher);
    const withdrawn = await request('PUT', '/v1/remotes/auth/releases', yank);
    expect([withdrawn.statusCode, withdrawn.json()]).toEqual([200, { name: 'auth', releasesVersion: 3 }]);
  });
});

describe('adoption from legacy mode (design 16 §4.5)', () => {
  it('lists releases already published (R1 against the delegated publishers) and continues the legacy tag state', async () => {
    const fresh = await createTestRegistry();
    try {
      // Legacy: the CI key registered by admin is the one the root of trust then delegates.
      const adoptTrust = await createTrustFixture(fresh);
      const legacyToken = (await fresh.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { remote: 'auth' } })).json().token;
      const privateKeyPem = adoptTrust.keys.publishers.auth!.privateKeyPem;
      const publicKey = formatPublicKey(createPublicKey(privateKeyPem));
      await fresh.app.inject({ method: 'POST', url: '/v1/remotes/auth/keys', headers: admin(), payload: { publicKey } });
      for (const version of ['1.0.0', '1.1.0']) {
        const key = { privateKeyPem, publicKey, keyId: keyIdOf(publicKey) };
        const answer = await publishFixture(fresh, releaseFixture('auth', version), { key, token: legacyToken }, version === '1.1.0' ? { tag: 'stable' } : {});
        expect(answer.statusCode, answer.body).toBe(201);
      }
      await adoptTrust.push();
      const send = (url: string, body: unknown) => fresh.app.inject({ method: 'PUT', url, headers: bearer(legacyToken), payload: body as never });

      // releases adopt: v1 lists the published documents, as the registry serves them.
      let releases = undefined as ReleasesSigned | undefined;
      for (const version of ['1.0.0', '1.1.0']) {
        const document = new Uint8Array((await fresh.app.inject({ url: `/v1/remotes/auth/releases/${version}/document` })).rawPayload);
        releases = (await buildReleasesUpdate(releases, { remote: 'auth', add: { version, document }, expires: adoptTrust.after(365) }, crypto)).signed;
        releases.version = 1;
      }
      const adopted = await send('/v1/remotes/auth/releases', await adoptTrust.sign({ signed: releases!, signatures: [] }, [adoptTrust.keys.publishers.auth!]));
      expect([adopted.statusCode, adopted.json()]).toEqual([200, { name: 'auth', releasesVersion: 1 }]);

      // tags adopt: a v1 that starts the tag over is refused; one continuing seq 1 is taken.
      const restart = await adoptTrust.tagsRole('auth', 'stable', '1.1.0');
      const refused = await send('/v1/remotes/auth/tags', restart);
      expect([refused.json().error.code, refused.json().error.message]).toEqual([
        'MODMESH_TAG_STATE_INVALID',
        expect.stringContaining("not the registry's current"),
      ]);
      const document = (await fresh.app.inject({ url: '/v1/remotes/auth/releases/1.1.0/document' })).rawPayload;
      const continues = { version: '1.1.0', seq: 1, sha256: Buffer.from(await crypto.sha256(new Uint8Array(document))).toString('hex') };
      const tags = buildTagsUpdate(undefined, releases!, {
        remote: 'auth',
        tag: 'stable',
        version: '1.1.0',
        movedAt: new Date().toISOString(),
        expires: adoptTrust.after(365),
        continues,
      });
      const taken = await send('/v1/remotes/auth/tags', await adoptTrust.sign(tags, [adoptTrust.keys.movers.auth!]));
      expect([taken.statusCode, taken.json().moves]).toMatchObject([200, [{ tag: 'stable', from: '1.1.0', to: '1.1.0', seq: 2 }]]);
      expect((await fresh.app.inject({ url: '/v1/remotes/auth/tags' })).json().tags).toMatchObject([{ tag: 'stable', version: '1.1.0', seq: 2 }]);
    } finally {
      await fresh.cleanup();
    }
  });
});
