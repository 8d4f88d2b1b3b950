// Attack: a revoked publisher key (issue 16). auth has two publishers, K and L. K publishes 1.1.0
// and canary moves to it, and then K is found stolen: the root owners remove it (`root remove-key
// K --remote auth`, targets signed by both root keys, `root push`). A host that runs 1.0.0 on
// auth@canary and was offline meanwhile, and a host started afterwards on auth@1.1.0, must not
// run 1.1.0: first the auth.releases role K signed no longer verifies (MODMESH_META_SIGNATURE);
// then, when L signs auth.releases again without looking (`releases refresh --key L`, which still
// lists 1.1.0), the release itself is signed by a key no longer trusted (R1,
// MODMESH_KEY_NOT_TRUSTED). That is what per-release signatures are for.
import { pollUntil } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackWorld, type KeyFiles, type TufHost } from './world.js';

let world: Awaited<ReturnType<typeof createAttackWorld>>;
let canary: TufHost;
let pinned: TufHost;
// The targets version without K.
let revokedIn: number;

beforeAll(async () => {
  world = await createAttackWorld({ publishers: { auth: ['auth-k', 'auth-l'] } });
  await world.publish('auth', '1.0.0', { tag: 'canary', key: 'auth-l' });
  world.proxy.record(true);
  canary = await world.startHost({ auth: 'auth@canary' });
  await canary.waitForAnswer('1.0.0');
  // The host goes offline (it gets the answers of the past), while K publishes 1.1.0 and canary moves to it.
  world.proxy.setFault({ kind: 'replay' });
  await world.publish('auth', '1.1.0', { tag: 'canary', key: 'auth-k' });
  const k = world.keys['auth-k'] as KeyFiles;
  const removed = await world.ok(['root', 'remove-key', k.pair.signer.keyid, '--remote', 'auth', '--dir', world.trustDir, '--json']);
  const { file, version } = JSON.parse(removed) as { file: string; version: number };
  revokedIn = version;
  for (const key of ['root-a', 'root-b']) await world.ok(['root', 'sign', file, '--key', (world.keys[key] as KeyFiles).key]);
  await world.ok(['root', 'push', '--dir', world.trustDir]);
  expect((await world.snapshot()).roles.targets).toBe(revokedIn);
});
afterAll(() => world?.close());

describe('a publisher key removed from the root', () => {
  it('auth.releases signed only by K no longer verifies: MODMESH_META_SIGNATURE; the canary host keeps 1.0.0, the host pinned to 1.1.0 runs nothing', async () => {
    world.proxy.setFault(undefined);
    const answers = canary.sample();
    const refused = await canary.logged('MODMESH_META_SIGNATURE');
    expect(refused.msg).toMatch(new RegExp(`auth\\.releases\\.json v\\d+ is signed by 0 of the 1 keys of auth\\.releases \\(targets v${revokedIn}\\)`));

    pinned = await world.startHost({ auth: 'auth@1.1.0' });
    await pinned.logged('MODMESH_META_SIGNATURE', (line) => String(line.msg).includes('auth.releases.json'));
    const answer = await pinned.answer();
    expect(answer.status).toBe(503);
    expect((await canary.answer()).body).toEqual({ remote: 'auth', version: '1.0.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.0.0']));
    expect(canary.evaluated()).toEqual(['auth@1.0.0']);
    expect(pinned.evaluated()).toEqual([]);
  });

  it('after L re-signs auth.releases unreviewed (still listing 1.1.0), 1.1.0 is MODMESH_KEY_NOT_TRUSTED: its own signature is by K', async () => {
    const answers = canary.sample();
    const refreshed = await world.ok(['releases', 'refresh', 'auth', '--key', (world.keys['auth-l'] as KeyFiles).key]);
    expect(refreshed).toMatch(/^auth\.releases v\d+ expires /);
    const listed = (await world.role<{ targets: Record<string, unknown> }>('auth.releases')).envelope.signed.targets;
    expect(Object.keys(listed)).toContain('auth/releases/1.1.0.json');

    const refused = await canary.logged('MODMESH_KEY_NOT_TRUSTED', (line) => line.remote === 'auth');
    expect(refused.msg).toContain('1.1.0');
    await pinned.logged('MODMESH_KEY_NOT_TRUSTED', (line) => line.remote === 'auth');
    // The trusted metadata moved on (the cycle passes again): only the release is refused.
    await pollUntil('the canary host fresh', async () => ((await canary.status()).remotes.auth?.stale === undefined ? true : undefined));
    expect((await canary.answer()).body).toEqual({ remote: 'auth', version: '1.0.0' });
    expect((await pinned.answer()).status).toBe(503);
    expect(new Set(await answers.stop())).toEqual(new Set(['1.0.0']));
    expect(canary.evaluated()).toEqual(['auth@1.0.0']);
    expect(pinned.evaluated()).toEqual([]);
  });
});
