// Attack: rollback (issue 16). Someone with the registry's machine edits its database so that
// `stable` points back at the older, validly signed auth@1.0.0, in the legacy tables and in the
// TUF rows, and the registry then signs a snapshot over what it now holds. A host running
// 1.1.0 refuses it, with or without a forged rollback mark, and so does the same host restarted.
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pollUntil } from '@modmesh/test-utils';
import { buildTagsUpdate, type ReleasesSigned, type TagsSigned } from '@modmesh/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttackWorld, createAttackWorld, expireNewestSnapshot, expiresIn, signWith, type TufHost } from './world.js';

let world: Awaited<ReturnType<typeof createAttackWorld>>;
let host: TufHost;
let tagsV2: TagsSigned;
let releases: ReleasesSigned;

async function registryStable(registry: AttackWorld): Promise<string | undefined> {
  const { tags } = (await (await fetch(`${registry.registry.url}/v1/remotes/auth/tags`)).json()) as { tags: { tag: string; version: string }[] };
  return tags.find((tag) => tag.tag === 'stable')?.version;
}

beforeAll(async () => {
  // Renewal checks every second: the registry signs over an edited database at once.
  world = await createAttackWorld({ registryArgs: ['--timestamp-renew-before', '4'] });
  await world.publish('auth', '1.0.0', { tag: 'stable' });
  await world.publish('auth', '1.1.0', { tag: 'stable' });
  tagsV2 = (await world.role<TagsSigned>('auth.tags')).envelope.signed;
  releases = (await world.role<ReleasesSigned>('auth.releases')).envelope.signed;
  expect(tagsV2.version).toBe(2);
  host = await world.startHost({ auth: 'auth@stable' });
  await host.waitForAnswer('1.1.0');
});
afterAll(() => world?.close());

describe('rollback: the registry database edited to point stable back at 1.0.0', () => {
  it('without a rollback mark: the older auth.tags v1 in a new snapshot is MODMESH_META_ROLLBACK; 1.0.0 never runs', async () => {
    const answers = host.sample();
    await world.editDatabase((db) => {
      db.prepare("DELETE FROM tuf_metadata WHERE role = 'auth.tags' AND version = 2").run();
      db.prepare("UPDATE tags SET version = '1.0.0', seq = 1 WHERE name = 'auth' AND tag = 'stable'").run();
      db.prepare("DELETE FROM tag_moves WHERE name = 'auth' AND tag = 'stable' AND seq = 2").run();
      expireNewestSnapshot(db);
    });
    // The registry serves the rollback as its own: a snapshot it signed lists auth.tags v1, and its API says 1.0.0.
    await pollUntil('a snapshot listing auth.tags v1', async () => ((await world.snapshot()).roles['auth.tags'] === 1 ? true : undefined));
    expect(await registryStable(world)).toBe('1.0.0');

    const refused = await host.logged('MODMESH_META_ROLLBACK');
    expect(refused.msg).toMatch(/snapshot\.json v\d+ lists auth\.tags\.json at v1, older than the trusted v2/);
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect((await host.status()).remotes.auth).toMatchObject({ version: '1.1.0', tagSeq: 2, evaluated: ['remoteEntry.js'] });
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });

  it('a host restarted on the same cache refuses it too and boots the 1.1.0 it verified', async () => {
    await host.stop();
    for (const marker of readdirSync(host.markers)) rmSync(path.join(host.markers, marker));
    host = await world.startHost({ auth: 'auth@stable' }, { cacheDir: host.cacheDir, markers: host.markers });
    await host.logged('MODMESH_META_ROLLBACK', (line) => String(line.msg).includes('lists auth.tags.json at v1'));
    await host.waitForAnswer('1.1.0');
    expect(await host.logged('MODMESH_BOOTED_FROM_CACHE')).toMatchObject({ remote: 'auth', version: '1.1.0', cause: 'MODMESH_META_ROLLBACK' });
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });

  it('with a forged rollback mark (auth.tags v3: stable -> 1.0.0, rollback, seq 3): MODMESH_META_SIGNATURE, the movers never signed it', async () => {
    const answers = host.sample();
    const online = await world.onlineSigner();
    // The statement is well formed (T1 holds), signed with the one key the registry's machine holds.
    const statement = buildTagsUpdate(tagsV2, releases, {
      remote: 'auth',
      tag: 'stable',
      version: '1.0.0',
      rollback: true,
      reason: 'login broken',
      movedAt: new Date().toISOString(),
      expires: expiresIn(365 * 86_400),
    });
    expect(statement.signed.version).toBe(3);
    const forged = await signWith(statement, [online]);
    await world.editDatabase((db) => {
      db.prepare(
        "INSERT INTO tuf_metadata (role, version, bytes, sha256, length, expires, created_at, created_by) VALUES ('auth.tags', 3, ?, ?, ?, ?, ?, 'registry')",
      ).run(forged, sha256(forged), forged.length, statement.signed.expires, new Date().toISOString());
      db.prepare("UPDATE tags SET version = '1.0.0', seq = 3 WHERE name = 'auth' AND tag = 'stable'").run();
      db.prepare(
        "INSERT INTO tag_moves (name, tag, from_version, to_version, kind, actor, reason, at, seq, role_version, signers) VALUES ('auth', 'stable', '1.1.0', '1.0.0', 'rollback', 'mover', 'login broken', ?, 3, 3, '[]')",
      ).run(new Date().toISOString());
      expireNewestSnapshot(db);
    });
    await pollUntil('a snapshot listing auth.tags v3', async () => ((await world.snapshot()).roles['auth.tags'] === 3 ? true : undefined));

    const refused = await host.logged('MODMESH_META_SIGNATURE');
    expect(refused.msg).toMatch(/^trust: update failed .*auth\.tags\.json v3 is signed by 0 of the 1 keys of auth\.tags/);
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect((await host.status()).remotes.auth).toMatchObject({ version: '1.1.0', tagSeq: 2 });
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
