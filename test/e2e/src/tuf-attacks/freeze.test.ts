// Attack: indefinite freeze (issue 16). Whoever sits between a host and the registry records the
// answers and later replays them, while the real registry moves on (new timestamps every two
// seconds, a tag move to 1.2.0). Replayed answers are valid signed documents, so the host cannot
// refuse them; what it must do is notice that nothing fresh arrives and say so (MODMESH_STALE,
// with how long, in its logs, status and metrics) once the last timestamp it verified expires,
// keep serving what it runs, and catch up as soon as the real answers get through again.
import { pollUntil } from '@modmesh/test-utils';
import type { TimestampSigned } from '@modmesh/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackWorld, signedOf, type TufHost } from './world.js';

// Test-sized: a timestamp lives 4 s and is renewed when under 2 s are left (defaults 1 h and 30 min).
const TIMESTAMP_EXPIRY_S = 4;
const TIMESTAMP_PATH = '/v1/tuf/metadata/timestamp.json';

let world: Awaited<ReturnType<typeof createAttackWorld>>;
let host: TufHost;

beforeAll(async () => {
  world = await createAttackWorld({ registryArgs: ['--timestamp-expiry', String(TIMESTAMP_EXPIRY_S), '--timestamp-renew-before', '2'] });
  await world.publish('auth', '1.0.0', { tag: 'stable' });
  await world.publish('auth', '1.1.0', { tag: 'stable' });
  await world.publish('auth', '1.2.0');
  world.proxy.record(true);
  host = await world.startHost({ auth: 'auth@stable' });
  await host.waitForAnswer('1.1.0');
});
afterAll(() => world?.close());

describe('indefinite freeze: a proxy replays the answers it recorded while the registry moves on', () => {
  it('the host reports MODMESH_STALE, with how long, once the replayed timestamp expires, and keeps serving 1.1.0', async () => {
    const answers = host.sample();
    world.proxy.record(false);
    world.proxy.setFault({ kind: 'replay' });
    const replayed = signedOf<TimestampSigned>(world.proxy.recorded(TIMESTAMP_PATH)?.body as Buffer).signed;
    await world.tagSet('auth', 'stable', '1.2.0');

    const stale = await pollUntil(
      'auth reported stale',
      async () => {
        const status = (await host.status()).remotes.auth;
        return status?.stale;
      },
      { deadlineMs: (TIMESTAMP_EXPIRY_S + 10) * 1000 },
    );
    expect(stale).toMatchObject({ code: 'MODMESH_STALE', role: 'timestamp', since: replayed.expires, forMs: expect.any(Number) });
    expect(stale.forMs).toBeGreaterThanOrEqual(0);
    const logged = await host.logged('MODMESH_STALE');
    expect(logged).toMatchObject({ remote: 'auth', role: 'timestamp', since: replayed.expires, forMs: expect.any(Number) });
    expect(logged.msg).toContain('still serving 1.1.0');
    expect(await host.metrics()).toMatch(/^modmesh_runtime_trust_stale\{remote="auth"\} 1$/m);

    // The real registry did move on: newer timestamps, and stable at 1.2.0, none of which got through.
    const real = signedOf<TimestampSigned>(await world.metadata('timestamp.json')).signed;
    expect(real.version).toBeGreaterThan(replayed.version);
    expect((await host.status()).trust?.timestampVersion).toBe(replayed.version);
    expect((await host.answer()).body).toEqual({ remote: 'auth', version: '1.1.0' });
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
  });

  it('once the proxy passes the real answers again, the host swaps to 1.2.0 and is fresh again', async () => {
    world.proxy.setFault(undefined);
    await host.waitForAnswer('1.2.0');
    await pollUntil('stale cleared', async () => ((await host.status()).remotes.auth?.stale === undefined ? true : undefined));
    await host.service.waitForLog((line) => line.msg === 'auth: trusted metadata is fresh again');
    expect(await host.metrics()).toMatch(/^modmesh_runtime_trust_stale\{remote="auth"\} 0$/m);
    expect(host.evaluated()).toEqual(['auth@1.1.0', 'auth@1.2.0']);
  });
});
