// Attack: one of two root keys stolen cannot rotate the root (issue 16). Root v1 needs 2 of the
// root keys {A, B}. The attacker has A (and, having the registry's machine, its online key). It
// writes root v2 naming {A, X} with threshold 1 and X as the targets key, signed by A and X.
// (1) `modmesh root push` refuses it before anything leaves the machine, and so does the registry
// when it is PUT there directly: v2 has 1 of the 2 signatures of v1's keys. (2) The attacker puts
// it in the registry's database, which then serves it as 2.root.json: hosts refuse to walk to it
// and stay on root v1. (3) Without the rotation, a targets delegating auth.tags to X (signed by A
// and X) and a tags role X signed, listed by a snapshot and timestamp under the online key, are
// refused too: targets needs 2 of v1's keys. 1.0.0 never runs, 1.1.0 keeps answering.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateTufKey, type TufKeyPair } from '@modmesh/test-utils';
import { buildTagsUpdate, type Envelope, type ReleasesSigned, type RootSigned, rotateRoot, type TagsSigned, type TargetsSigned } from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackWorld, expiresIn, forgeSnapshot, serveForged, signedOf, signWith, type TufHost } from './world.js';

const crypto = createNodeCrypto();

let world: Awaited<ReturnType<typeof createAttackWorld>>;
let host: TufHost;
let x: TufKeyPair;
let forgedRoot: Buffer;

async function registryRootVersion(): Promise<number> {
  return signedOf<RootSigned>(await world.metadata('root.json')).signed.version;
}

beforeAll(async () => {
  world = await createAttackWorld();
  await world.publish('auth', '1.0.0', { tag: 'stable' });
  await world.publish('auth', '1.1.0', { tag: 'stable' });
  host = await world.startHost({ auth: 'auth@stable' });
  await host.waitForAnswer('1.1.0');

  x = await generateTufKey();
  const a = world.keys['root-a']?.pair as TufKeyPair;
  const v1 = signedOf<RootSigned>(await world.metadata('1.root.json')).signed;
  const draft = await rotateRoot(
    v1,
    { rootKeys: [a.signer.key, x.signer.key], threshold: 1, targetsKeys: [x.signer.key], targetsThreshold: 1, expires: expiresIn(365 * 86_400) },
    crypto,
  );
  expect(draft.signed.version).toBe(2);
  forgedRoot = await signWith(draft, [a.signer, x.signer]);
});
afterAll(() => world?.close());

describe('one of two root keys stolen cannot rotate the root', () => {
  it('modmesh root push refuses root v2 signed by A and X (1 of the 2 keys of root v1), and so does the registry; its root stays v1', async () => {
    // The attacker's root directory: the real v1 and targets, and its v2.
    const dir = mkdtempSync(path.join(world.work, 'attacker-trust-'));
    for (const file of readdirSync(world.trustDir)) copyFileSync(path.join(world.trustDir, file), path.join(dir, file));
    writeFileSync(path.join(dir, '2.root.json'), forgedRoot);
    const pushed = await world.cli(['root', 'push', '--dir', dir]);
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toContain('MODMESH_ROOT_ROTATION_REFUSED');
    expect(pushed.stderr).toMatch(/root\.json v2 is signed by 1 of the 2 keys of root v1/);

    const put = await fetch(`${world.registry.url}/v1/tuf/roots/2`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${world.adminToken}`, 'content-type': 'application/json' },
      body: forgedRoot,
    });
    const answer = (await put.json()) as { error: { code: string; message: string } };
    expect(put.status).toBeGreaterThanOrEqual(400);
    expect(answer.error.code).toBe('MODMESH_ROOT_ROTATION_REFUSED');
    expect(answer.error.message).toMatch(/signed by 1 of the 2 keys of root v1/);
    expect(await registryRootVersion()).toBe(1);
  });

  it('served as 2.root.json from the edited database: the host logs MODMESH_ROOT_ROTATION_REFUSED, stays on root v1 and keeps 1.1.0', async () => {
    const answers = host.sample();
    await world.editDatabase((db) => {
      db.prepare(
        "INSERT INTO tuf_metadata (role, version, bytes, sha256, length, expires, created_at, created_by) VALUES ('root', 2, ?, ?, ?, ?, ?, 'registry')",
      ).run(forgedRoot, sha256(forgedRoot), forgedRoot.length, signedOf<RootSigned>(forgedRoot).signed.expires, new Date().toISOString());
    });
    expect(Buffer.compare(await world.metadata('2.root.json'), forgedRoot)).toBe(0);

    const refused = await host.logged('MODMESH_ROOT_ROTATION_REFUSED');
    expect(refused.msg).toMatch(/root\.json v2 is signed by 1 of the 2 keys of root v1/);
    expect((await host.status()).trust?.rootVersion).toBe(1);
    expect(readdirSync(path.join(host.cacheDir, 'trust', 'roots'))).toEqual(['0.json']);
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });

  it('without the rotation, targets delegating auth.tags to X (signed by A and X) is MODMESH_META_SIGNATURE, and the tags role X signed never counts', async () => {
    await world.editDatabase((db) => {
      db.prepare("DELETE FROM tuf_metadata WHERE role = 'root' AND version = 2").run();
    });
    const a = world.keys['root-a']?.pair as TufKeyPair;
    const targets = (await world.role<TargetsSigned>('targets')).envelope.signed;
    const delegations = targets.delegations as NonNullable<TargetsSigned['delegations']>;
    const forgedTargets: Envelope<TargetsSigned> = {
      signed: {
        ...targets,
        version: targets.version + 1,
        delegations: {
          keys: { ...delegations.keys, [x.signer.keyid]: x.signer.key },
          roles: delegations.roles.map((role) => (role.name === 'auth.tags' ? { ...role, keyids: [x.signer.keyid], threshold: 1 } : role)),
        },
      },
      signatures: [],
    };
    const targetsBytes = await signWith(forgedTargets, [a.signer, x.signer]);
    const tags = (await world.role<TagsSigned>('auth.tags')).envelope.signed;
    const releases = (await world.role<ReleasesSigned>('auth.releases')).envelope.signed;
    const statement = buildTagsUpdate(tags, releases, {
      remote: 'auth',
      tag: 'stable',
      version: '1.0.0',
      rollback: true,
      reason: 'attacker',
      movedAt: new Date().toISOString(),
      expires: expiresIn(365 * 86_400),
    });
    const tagsBytes = await signWith(statement, [x.signer]);
    const online = await world.onlineSigner();
    const answers = host.sample();
    serveForged(world, {
      ...(await forgeSnapshot(world, online, { targets: targetsBytes, 'auth.tags': tagsBytes })),
      [`/v1/tuf/metadata/${forgedTargets.signed.version}.targets.json`]: targetsBytes,
      [`/v1/tuf/metadata/${statement.signed.version}.auth.tags.json`]: tagsBytes,
    });

    const refused = await host.logged('MODMESH_META_SIGNATURE');
    expect(refused.msg).toMatch(new RegExp(`targets\\.json v${forgedTargets.signed.version} is signed by 1 of the 2 keys of targets \\(root v1\\)`));
    expect((await host.status()).trust?.rootVersion).toBe(1);
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect((await host.status()).remotes.auth).toMatchObject({ version: '1.1.0', tagSeq: 2 });
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
