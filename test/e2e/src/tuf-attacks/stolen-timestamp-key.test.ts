// Attack: the timestamp (online) key stolen alone cannot move a tag (issue 16). The attacker has
// the registry's online key (a copy of `<dataDir>/online-key`), which signs timestamps and
// snapshots, and sits between the host and the registry. (1) It writes auth.tags v3 moving stable
// back to the older, validly published auth@1.0.0 (a well-formed rollback statement, seq 3),
// signs it with the one key it has, and lists it in a snapshot and timestamp of its own, signed
// correctly: the movers never signed the statement, so it is MODMESH_META_SIGNATURE. (2) It lists
// the older, really mover-signed auth.tags v1 (stable -> 1.0.0) in a fresh snapshot: a role below
// the trusted version is MODMESH_META_ROLLBACK. Either way 1.0.0 never runs and 1.1.0 keeps
// answering.
import { buildTagsUpdate, type ReleasesSigned, type Signer, type TagsSigned } from '@modmesh/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackWorld, expiresIn, forgeSnapshot, serveForged, signWith, type TufHost } from './world.js';

let world: Awaited<ReturnType<typeof createAttackWorld>>;
let host: TufHost;
let stolen: Signer;

beforeAll(async () => {
  world = await createAttackWorld();
  await world.publish('auth', '1.0.0', { tag: 'stable' });
  await world.publish('auth', '1.1.0', { tag: 'stable' });
  host = await world.startHost({ auth: 'auth@stable' });
  await host.waitForAnswer('1.1.0');
  stolen = await world.onlineSigner();
});
afterAll(() => world?.close());

describe('the online key stolen alone cannot move a tag', () => {
  it('auth.tags v3 (stable -> 1.0.0, rollback, seq 3) signed by the online key, in a snapshot and timestamp it signed too: MODMESH_META_SIGNATURE, 0 of the 1 mover keys', async () => {
    const tags = (await world.role<TagsSigned>('auth.tags')).envelope.signed;
    const releases = (await world.role<ReleasesSigned>('auth.releases')).envelope.signed;
    // A statement the CLI would build (T1 holds: rollback to an older listed release, seq + 1), signed with the wrong key.
    const statement = buildTagsUpdate(tags, releases, {
      remote: 'auth',
      tag: 'stable',
      version: '1.0.0',
      rollback: true,
      reason: 'attacker',
      movedAt: new Date().toISOString(),
      expires: expiresIn(365 * 86_400),
    });
    expect(statement.signed.version).toBe(3);
    const forgedTags = await signWith(statement, [stolen]);
    const answers = host.sample();
    serveForged(world, { ...(await forgeSnapshot(world, stolen, { 'auth.tags': forgedTags })), '/v1/tuf/metadata/3.auth.tags.json': forgedTags });

    const refused = await host.logged('MODMESH_META_SIGNATURE');
    expect(refused.msg).toMatch(/^trust: update failed .*auth\.tags\.json v3 is signed by 0 of the 1 keys of auth\.tags/);
    // The forged timestamp and snapshot verified, and still nothing of them was kept: the cycle is all or nothing.
    expect((await host.status()).trust?.timestampVersion).toBe((await world.snapshot()).version);
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect((await host.status()).remotes.auth).toMatchObject({ version: '1.1.0', tagSeq: 2 });
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });

  it('the older mover-signed auth.tags v1 (stable -> 1.0.0) listed in a fresh snapshot: MODMESH_META_ROLLBACK', async () => {
    const v1 = await world.metadata('1.auth.tags.json');
    const answers = host.sample();
    serveForged(world, await forgeSnapshot(world, stolen, { 'auth.tags': v1 }));

    const refused = await host.logged('MODMESH_META_ROLLBACK');
    expect(refused.msg).toMatch(/snapshot\.json v\d+ lists auth\.tags\.json at v1, older than the trusted v2/);
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect((await host.status()).remotes.auth).toMatchObject({ version: '1.1.0', tagSeq: 2 });
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });
});
