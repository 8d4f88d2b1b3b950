// The online documents renew themselves (design 16 §2.2): before the timestamp or snapshot
// expires the registry signs the next one, announces it, and reports time left in /health and
// the metrics.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { admin, createTestRegistry, createTrustFixture, expectAnswer, type TestRegistry, type TrustFixture } from '@modmesh/registry-test-utils';
import { pollUntil } from '@modmesh/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
let trust: TrustFixture;

beforeEach(async () => {
  registry = await createTestRegistry({
    onlineExpiry: { timestampSeconds: 60, timestampRenewBeforeSeconds: 30, snapshotSeconds: 3600, snapshotRenewBeforeSeconds: 600 },
  });
  trust = await createTrustFixture(registry);
  await trust.push();
  return () => registry.cleanup();
});

async function head() {
  return (await registry.tuf.engine.context()).head;
}

describe('renewal', () => {
  it('re-signs the timestamp within its window, and the snapshot within its own, each with a tuf.updated event', async () => {
    const before = await head();
    expect(await registry.tuf.renewal.renewIfDue(Date.now())).toBe('not-due');

    expect(await registry.tuf.renewal.renewIfDue(Date.now() + 40_000)).toBe('renewed');
    const renewed = await head();
    expect(renewed).toMatchObject({ timestamp: before.timestamp + 1, snapshot: before.snapshot });
    expect(Date.parse(renewed.current.timestamp!.expires)).toBeGreaterThan(Date.parse(before.current.timestamp!.expires) + 30_000);

    expect(await registry.tuf.renewal.renewIfDue(Date.now() + 3_100_000)).toBe('renewed');
    expect(await head()).toMatchObject({ timestamp: before.timestamp + 2, snapshot: before.snapshot + 1 });
    const events = (await registry.metadata.eventsAfter(0, 100)).filter((event) => event.type === 'tuf.updated').map((event) => event.data);
    expect(events.slice(-2)).toEqual([{ timestampVersion: before.timestamp + 1 }, { timestampVersion: before.timestamp + 2 }]);
  });

  it('runs by itself on a timer, at test-sized expiries', async () => {
    const fast = await createTestRegistry({ onlineExpiry: { timestampSeconds: 3, timestampRenewBeforeSeconds: 2 } });
    try {
      await (await createTrustFixture(fast)).push();
      const first = (await fast.tuf.engine.context()).head.timestamp;
      await pollUntil('a renewed timestamp', async () => ((await fast.tuf.engine.context()).head.timestamp > first ? true : undefined), { deadlineMs: 10_000 });
    } finally {
      await fast.cleanup();
    }
  });
});

describe('/health and /metrics', () => {
  it("report each document's time left, warn 30 days before an offline-signed one expires, and name a missing online key", async () => {
    const { tuf } = expectAnswer('GET /health', await registry.app.inject({ url: '/health' }));
    expect(tuf).toMatchObject({ mode: 'root', problems: [], warnings: [] });
    expect(tuf?.documents.timestamp?.expiresInSeconds).toBeGreaterThan(50);
    expect(tuf?.documents.timestamp?.expiresInSeconds).toBeLessThanOrEqual(60);
    expect(Object.keys(tuf?.documents ?? {}).sort()).toEqual(['root', 'snapshot', 'targets', 'timestamp']);
    const metrics = (await registry.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/modmesh_registry_tuf_expires_in_seconds\{role="timestamp"\} [1-6]?\d\n/);
    expect(metrics).toMatch(/modmesh_registry_tuf_expires_in_seconds\{role="root"\} \d{8}\n/);

    const soon = await trust.sign(
      { signed: { ...trust.targets.signed, version: trust.targets.signed.version + 1, expires: trust.after(10) }, signatures: [] },
      trust.keys.root,
    );
    expect(
      (await registry.app.inject({ method: 'PUT', url: `/v1/tuf/targets/${soon.signed.version}`, headers: admin(), payload: soon as never })).statusCode,
    ).toBe(200);
    await rm(path.join(registry.dir, 'online-key'));
    await registry.tuf.engine.signer.reload();

    const after = (await registry.app.inject({ url: '/health' })).json().tuf;
    expect(after.warnings).toEqual([{ role: 'targets', message: expect.stringContaining('targets.json v') }]);
    expect(after.problems.map((problem: { code: string }) => problem.code)).toEqual(['MODMESH_ONLINE_KEY_MISSING']);
    await expect(registry.tuf.renewal.renewIfDue(Date.now() + 40_000)).rejects.toMatchObject({ code: 'MODMESH_ONLINE_KEY_MISSING' });
  });
});
