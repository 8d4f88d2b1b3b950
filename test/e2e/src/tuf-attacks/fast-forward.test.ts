// Attack: fast-forward, and recovery once the online key is rotated (issue 16; TUF 5.3.11). An
// attacker who copied the registry's online key signs a timestamp at version 1,000,000. Hosts
// accept it (the key is the right one), and from then on every real timestamp looks like a
// rollback: the host is frozen, and says so. The owners rotate the online key (`registry
// online-key rotate`, `root rotate --online-key`, two root signatures, `root push`); hosts walk to
// root v2, drop the timestamp and snapshot trusted under the old key, refuse the forgery now
// that its key is gone, and follow the registry again.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pollUntil } from '@modmesh/test-utils';
import { buildTimestamp } from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackWorld, expiresIn, signWith, type TufHost } from './world.js';

const FORGED_VERSION = 1_000_000;
const TIMESTAMP_PATH = '/v1/tuf/metadata/timestamp.json';
// Long enough for the host to take it, short enough for it to go stale during the test.
const FORGED_LIFETIME_S = 6;

let world: Awaited<ReturnType<typeof createAttackWorld>>;
let host: TufHost;
let forged: Buffer;

beforeAll(async () => {
  world = await createAttackWorld();
  await world.publish('auth', '1.0.0', { tag: 'stable' });
  await world.publish('auth', '1.1.0', { tag: 'stable' });
  await world.publish('auth', '1.2.0');
  host = await world.startHost({ auth: 'auth@stable' });
  await host.waitForAnswer('1.1.0');
  // The theft: the online key file, and a timestamp far ahead over the registry's real snapshot.
  const stolen = await world.onlineSigner();
  const snapshot = (await world.snapshot()).bytes;
  forged = await signWith(await buildTimestamp({ version: FORGED_VERSION, expires: expiresIn(FORGED_LIFETIME_S), snapshot }, createNodeCrypto()), [stolen]);
});
afterAll(() => world?.close());

describe('fast-forward with the stolen online key, then recovery after the key rotates', () => {
  it('the host takes the forged timestamp v1000000, then refuses every real one as MODMESH_META_ROLLBACK, keeps 1.1.0 and goes stale', async () => {
    const answers = host.sample();
    world.proxy.setFault({ kind: 'rewrite', answer: (url) => (url === TIMESTAMP_PATH ? { body: forged } : undefined) });
    await pollUntil('the forged timestamp trusted', async () => ((await host.status()).trust?.timestampVersion === FORGED_VERSION ? true : undefined));

    world.proxy.setFault(undefined);
    await world.tagSet('auth', 'stable', '1.2.0');
    const refused = await host.logged('MODMESH_META_ROLLBACK');
    expect(refused.msg).toMatch(new RegExp(`timestamp\\.json v\\d+ is older than the trusted v${FORGED_VERSION}`));
    const stale = await pollUntil('auth stale', async () => (await host.status()).remotes.auth?.stale, { deadlineMs: (FORGED_LIFETIME_S + 10) * 1000 });
    expect(stale).toMatchObject({ code: 'MODMESH_STALE', role: 'timestamp', cause: 'MODMESH_META_ROLLBACK' });
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });

  it('after registry online-key rotate and root v2 naming the new key, the forgery is MODMESH_META_SIGNATURE and the host follows the registry to 1.2.0', async () => {
    const next = JSON.parse(await world.ok(['registry', 'online-key', 'rotate', '--data', world.dataDir, '--json'])).next as string;
    await world.ok(['root', 'rotate', '--online-key', next, '--dir', world.trustDir]);
    for (const key of ['root-a', 'root-b']) await world.ok(['root', 'sign', path.join(world.trustDir, '2.root.json'), '--key', world.keys[key]!.key]);
    // The attacker keeps answering with its timestamp, until the host has walked to root v2.
    world.proxy.setFault({ kind: 'rewrite', answer: (url) => (url === TIMESTAMP_PATH ? { body: forged } : undefined) });
    expect(await world.ok(['root', 'push', '--dir', world.trustDir])).toBe('pushed root v2\n');

    const refused = await host.logged('MODMESH_META_SIGNATURE');
    expect(refused.msg).toMatch(new RegExp(`timestamp\\.json v${FORGED_VERSION} is signed by 0 of the 1 keys of timestamp \\(root v2\\)`));
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });

    world.proxy.setFault(undefined);
    await host.waitForAnswer('1.2.0');
    const trust = (await host.status()).trust;
    expect(trust?.rootVersion).toBe(2);
    expect(trust?.timestampVersion).toBeLessThan(FORGED_VERSION);
    await pollUntil('stale cleared', async () => ((await host.status()).remotes.auth?.stale === undefined ? true : undefined));
    expect(host.evaluated()).toEqual(['auth@1.1.0', 'auth@1.2.0']);
    // The root chain kept on disk is the configured root and v2, once each: a restart walks it as is.
    expect(readdirSync(path.join(host.cacheDir, 'trust', 'roots')).sort()).toEqual(['0.json', '1.json']);
  });
});
