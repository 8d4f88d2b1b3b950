// Restarts of a host with a root (issue 16, design §2.5 B5 and "Restart"), as real processes:
// (1) restarted offline after the metadata it kept has expired, it boots the release it verified
// from its cache, says so (MODMESH_BOOTED_FROM_CACHE) and that it is stale (MODMESH_STALE), and
// is fresh again once the registry is back; (2) restarted while whoever sits in between replays
// the answers it recorded before the last tag move (validly signed and unexpired), it refuses them
// by the floors it kept (MODMESH_META_ROLLBACK) and boots the newer release it verified: the
// restart replay of issue 12, closed by signed data.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { counter, pollUntil } from '@modmesh/test-utils';
import type { TimestampSigned } from '@modmesh/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackWorld, signedOf, type TufHost } from './world.js';

// Test-sized: a timestamp lives 4 s (default 1 h).
const TIMESTAMP_EXPIRY_S = 4;

/** The timestamp in the trusted set the host keeps on disk. */
function persistedTimestamp(host: TufHost): TimestampSigned {
  const set = JSON.parse(readFileSync(path.join(host.cacheDir, 'trust', 'set.json'), 'utf8')) as { timestamp: string };
  return signedOf<TimestampSigned>(Buffer.from(set.timestamp)).signed;
}

function clearMarkers(host: TufHost): void {
  for (const marker of readdirSync(host.markers)) rmSync(path.join(host.markers, marker));
}

describe('restarted offline, with the metadata it kept expired', () => {
  let world: Awaited<ReturnType<typeof createAttackWorld>>;
  let host: TufHost;

  beforeAll(async () => {
    world = await createAttackWorld({ registryArgs: ['--timestamp-expiry', String(TIMESTAMP_EXPIRY_S), '--timestamp-renew-before', '2'] });
    await world.publish('auth', '1.0.0', { tag: 'stable' });
    await world.publish('auth', '1.1.0', { tag: 'stable' });
    host = await world.startHost({ auth: 'auth@stable' });
    await host.waitForAnswer('1.1.0');
  });
  afterAll(() => world?.close());

  it('boots 1.1.0 from its cache with MODMESH_BOOTED_FROM_CACHE and reports MODMESH_STALE; fresh again once the registry is back', async () => {
    await host.stop();
    await world.registry.stop();
    const kept = persistedTimestamp(host);
    await pollUntil('the kept timestamp expired', async () => (Date.now() > Date.parse(kept.expires) ? true : undefined), {
      deadlineMs: (TIMESTAMP_EXPIRY_S + 5) * 1000,
    });
    clearMarkers(host);

    host = await world.startHost({ auth: 'auth@stable' }, { cacheDir: host.cacheDir, markers: host.markers });
    expect(await host.logged('MODMESH_BOOTED_FROM_CACHE')).toMatchObject({ remote: 'auth', version: '1.1.0', cause: 'MODMESH_REMOTE_UNREACHABLE' });
    await host.waitForAnswer('1.1.0');
    const stale = await host.logged('MODMESH_STALE');
    expect(stale).toMatchObject({ remote: 'auth', role: 'timestamp', since: kept.expires });
    expect((await host.status()).remotes.auth).toMatchObject({
      version: '1.1.0',
      stale: { code: 'MODMESH_STALE', role: 'timestamp', since: kept.expires },
    });
    expect(await host.metrics()).toMatch(/^modmesh_runtime_trust_stale\{remote="auth"\} 1$/m);
    expect(host.evaluated()).toEqual(['auth@1.1.0']);

    await world.restartRegistry();
    await pollUntil('stale cleared', async () => ((await host.status()).remotes.auth?.stale === undefined ? true : undefined));
    expect((await host.status()).trust?.timestampVersion).toBeGreaterThan(kept.version);
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });
});

describe('restarted while the answers from before the last move are replayed (root mode)', () => {
  let world: Awaited<ReturnType<typeof createAttackWorld>>;
  let host: TufHost;

  beforeAll(async () => {
    world = await createAttackWorld();
    await world.publish('auth', '1.0.0', { tag: 'stable' });
    await world.publish('auth', '1.1.0');
    world.proxy.record(true);
    host = await world.startHost({ auth: 'auth@stable' });
    await host.waitForAnswer('1.0.0');
    world.proxy.record(false);
    await world.tagSet('auth', 'stable', '1.1.0');
    await host.waitForAnswer('1.1.0');
  });
  afterAll(() => world?.close());

  it('refuses the replayed timestamp as MODMESH_META_ROLLBACK and boots the 1.1.0 it verified; 1.0.0 never runs', async () => {
    const replayed = signedOf<TimestampSigned>(world.proxy.recorded('/v1/tuf/metadata/timestamp.json')?.body as Buffer).signed;
    const trusted = persistedTimestamp(host);
    expect(replayed.version).toBeLessThan(trusted.version);
    // Validly signed and unexpired: only what the host kept tells it apart from news.
    expect(Date.parse(replayed.expires)).toBeGreaterThan(Date.now());
    await host.stop();
    clearMarkers(host);
    world.proxy.setFault({ kind: 'replay' });

    host = await world.startHost({ auth: 'auth@stable' }, { cacheDir: host.cacheDir, markers: host.markers });
    const refused = await host.logged('MODMESH_META_ROLLBACK');
    expect(refused.msg).toContain(`timestamp.json v${replayed.version} is older than the trusted v${trusted.version}`);
    expect(await host.logged('MODMESH_BOOTED_FROM_CACHE')).toMatchObject({ remote: 'auth', version: '1.1.0', cause: 'MODMESH_META_ROLLBACK' });
    await host.waitForAnswer('1.1.0');
    const answers = host.sample();
    const refusals = async () => counter(await host.metrics(), 'modmesh_runtime_trust_failures_total', { code: 'MODMESH_META_ROLLBACK' });
    const before = await refusals();
    await pollUntil('another refused cycle', async () => ((await refusals()) > before ? true : undefined));
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect((await host.status()).remotes.auth).toMatchObject({ version: '1.1.0', tagSeq: 2 });
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });
});
