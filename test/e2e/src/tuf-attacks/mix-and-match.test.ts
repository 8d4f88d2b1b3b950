// Attack: mix-and-match (issue 16). A host follows auth@stable and billing@stable. Both tags
// move, each in a new snapshot; whoever sits in between passes billing's new state through but
// answers auth's new tags role with the older one it recorded, so that the host would combine
// billing's new state with auth's old one. The host takes tag states only as one snapshot signed
// them: it refuses the whole update (MODMESH_META_MISMATCH), neither remote swaps, and its trusted
// set on disk stays the one snapshot it had; once the real answers get through, both swap together.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { counter, pollUntil } from '@modmesh/test-utils';
import type { SnapshotSigned } from '@modmesh/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackWorld, signedOf, type TufHost } from './world.js';

const TAGS_ROLE = /^\/v1\/tuf\/metadata\/(\d+)\.auth\.tags\.json$/;

let world: Awaited<ReturnType<typeof createAttackWorld>>;
let host: TufHost;
let before: number;

function persistedSnapshotVersion(): number {
  const set = JSON.parse(readFileSync(path.join(host.cacheDir, 'trust', 'set.json'), 'utf8')) as { snapshot: string };
  return signedOf<SnapshotSigned>(Buffer.from(set.snapshot)).signed.version;
}

async function mismatches(): Promise<number> {
  return counter(await host.metrics(), 'modmesh_runtime_trust_failures_total', { code: 'MODMESH_META_MISMATCH' });
}

beforeAll(async () => {
  world = await createAttackWorld({ remotes: ['auth', 'billing'] });
  await world.publish('auth', '1.0.0', { tag: 'stable' });
  await world.publish('auth', '1.1.0', { tag: 'stable' });
  await world.publish('auth', '1.2.0');
  await world.publish('billing', '1.0.0', { tag: 'stable' });
  await world.publish('billing', '1.1.0');
  world.proxy.record(true);
  host = await world.startHost({ auth: 'auth@stable', billing: 'billing@stable' });
  await host.waitForAnswer('1.1.0', 'auth');
  await host.waitForAnswer('1.0.0', 'billing');
  before = (await world.snapshot()).version;
  await pollUntil('the trusted set on disk', async () => (persistedSnapshotVersion() === before ? true : undefined));
});
afterAll(() => world?.close());

describe('mix-and-match: auth.tags from an older snapshot, billing.tags from the newest', () => {
  it('refuses the combination with MODMESH_META_MISMATCH: neither remote swaps, and the set on disk is still the old snapshot', async () => {
    const recorded = world.proxy.recorded('/v1/tuf/metadata/2.auth.tags.json');
    expect(recorded?.status).toBe(200);
    world.proxy.setFault({
      kind: 'rewrite',
      answer: (url) => (Number(TAGS_ROLE.exec(url)?.[1] ?? 0) > 2 ? { body: recorded?.body as Buffer } : undefined),
    });
    const auth = host.sample('auth');
    const billing = host.sample('billing');

    await world.tagSet('auth', 'stable', '1.2.0');
    const refused = await host.logged('MODMESH_META_MISMATCH');
    expect(refused.msg).toMatch(/auth\.tags\.json v3 (is \d+ bytes|has SHA-256 [0-9a-f]{64}), but snapshot\.json v\d+ signed/);

    await world.tagSet('billing', 'stable', '1.1.0');
    const newest = await world.snapshot();
    expect(newest.roles).toMatchObject({ 'auth.tags': 3, 'billing.tags': 2 });
    // The host has fetched the snapshot with billing's move, and failed a whole cycle with it since.
    await pollUntil('the newest snapshot fetched', async () => world.proxy.recorded(`/v1/tuf/metadata/${newest.version}.snapshot.json`));
    const failed = await mismatches();
    await pollUntil('another refused cycle', async () => ((await mismatches()) > failed ? true : undefined));

    expect({ auth: new Set(await auth.stop()), billing: new Set(await billing.stop()) }).toEqual({ auth: new Set(['1.1.0']), billing: new Set(['1.0.0']) });
    expect((await host.status()).trust?.snapshotVersion).toBe(before);
    expect(persistedSnapshotVersion()).toBe(before);
    expect(host.evaluated()).toEqual(['auth@1.1.0', 'billing@1.0.0']);
  });

  it('once the real answers get through, both swap, from the one snapshot that signed both moves', async () => {
    world.proxy.setFault(undefined);
    await host.waitForAnswer('1.2.0', 'auth');
    await host.waitForAnswer('1.1.0', 'billing');
    const newest = (await world.snapshot()).version;
    expect((await host.status()).trust?.snapshotVersion).toBe(newest);
    await pollUntil('the new set on disk', async () => (persistedSnapshotVersion() === newest ? true : undefined));
    expect(host.evaluated()).toEqual(['auth@1.1.0', 'auth@1.2.0', 'billing@1.0.0', 'billing@1.1.0']);
  });
});
