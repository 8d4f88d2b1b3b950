// Attack: endless data (issue 16), against a Node host. Whoever sits between the host and the
// registry answers one file with a body that never ends: `timestamp.json` (capped at 16 KiB, a
// documented default), the tags role `N.auth.tags.json` and a release document (each capped at
// the length its parent signed), and a release file (capped at the size its manifest signed).
// Each time the host stops reading at the cap with a coded refusal, has taken at most the cap
// plus what was in flight, stores nothing of it, and keeps serving the release it runs; once the
// real answers get through again, it follows the registry.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type EndlessAnswer, pollUntil } from '@modmesh/test-utils';
import { type ReleasesSigned, TIMESTAMP_MAX_BYTES } from '@modmesh/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackWorld, type TufHost } from './world.js';

// Paced well below what a host reads (800 KB/s), so that what the proxy wrote is what the host
// read, within what was sent while it closed; 10 MB would take 13 s.
const PACE = { bytes: 4096, everyMs: 5 };
// What the host may have read past the cap before it closed: the chunk that crossed it, and those in flight.
const IN_FLIGHT_BYTES = 64 * 1024;
// At least what the attack sends when nobody stops reading it.
const TEN_MB = 10 * 1024 * 1024;

let world: Awaited<ReturnType<typeof createAttackWorld>>;
let host: TufHost;

/** Every file below the host's cache dir (paths relative to it). */
function cacheEntries(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.relative(host.cacheDir, path.join(dir, entry.name))],
    );
  return walk(host.cacheDir).sort();
}

/**
 * The cache's files once no atomic write is under way: the host keeps a release and its tag
 * state in the background after it swaps, so a listing taken just then could hold a `.tmp` file.
 */
function settledCacheEntries(): Promise<string[]> {
  return pollUntil('the host’s cache with no write under way', async () => {
    const entries = cacheEntries();
    return entries.some((entry) => entry.endsWith('.tmp')) ? undefined : entries;
  });
}

/** Answers every path `only` accepts with an endless body, and waits until the host has closed one. */
async function endlessUntilClosed(only: (url: string) => boolean): Promise<EndlessAnswer> {
  const before = world.proxy.endless().length;
  world.proxy.setFault({ kind: 'endless', contentType: 'application/json', prefix: '{"signed":', pace: PACE }, { only });
  return pollUntil('an endless answer closed by the host', async () =>
    world.proxy
      .endless()
      .slice(before)
      .find((answer) => answer.closed),
  );
}

/** Ends the fault and waits until the host has verified the registry's metadata again (a refusal is logged once per run of failures). */
async function passThrough(): Promise<void> {
  const seen = host.service.logs.length;
  world.proxy.setFault(undefined);
  await pollUntil('a cycle that verifies', async () =>
    host.service.logs.slice(seen).some((line) => String(line.msg).startsWith('trust: the registry’s metadata verifies again')) ? true : undefined,
  );
}

beforeAll(async () => {
  world = await createAttackWorld();
  await world.publish('auth', '1.0.0', { tag: 'stable' });
  await world.publish('auth', '1.1.0', { tag: 'stable' });
  await world.publish('auth', '1.2.0');
  await world.publish('auth', '1.3.0');
  host = await world.startHost({ auth: 'auth@stable' });
  await host.waitForAnswer('1.1.0');
  // The host answers from the verified bytes before its cache is written (in the background,
  // the state last): what each case compares against is the cache once the host kept 1.1.0.
  await pollUntil('the host has kept the release it runs', async () => {
    const entries = cacheEntries();
    return entries.includes('state/auth@stable.json') && !entries.some((entry) => entry.endsWith('.tmp')) ? true : undefined;
  });
});
afterAll(() => world?.close());

describe('endless data: one answer never ends', () => {
  it('timestamp.json: MODMESH_REMOTE_TOO_LARGE at 16 KiB, nothing stored, 1.1.0 keeps answering', async () => {
    const entries = await settledCacheEntries();
    const answers = host.sample();
    const endless = await endlessUntilClosed((url) => url === '/v1/tuf/metadata/timestamp.json');

    const refused = await host.logged('MODMESH_REMOTE_TOO_LARGE', (line) => String(line.msg).includes('timestamp.json'));
    expect(refused.msg).toContain(`over the ${TIMESTAMP_MAX_BYTES}-byte limit`);
    expect(endless.bytes).toBeGreaterThan(TIMESTAMP_MAX_BYTES);
    expect(endless.bytes).toBeLessThanOrEqual(TIMESTAMP_MAX_BYTES + IN_FLIGHT_BYTES);
    expect(endless.bytes).toBeLessThan(TEN_MB);
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect(await settledCacheEntries()).toEqual(entries);
    expect(host.evaluated()).toEqual(['auth@1.1.0']);
    await passThrough();
  });

  it('N.auth.tags.json past the length the snapshot signed: MODMESH_REMOTE_TOO_LARGE at that length; the move to 1.2.0 waits for the real answer', async () => {
    const entries = await settledCacheEntries();
    const answers = host.sample();
    const file = `${((await world.snapshot()).roles['auth.tags'] as number) + 1}.auth.tags.json`;
    const closed = endlessUntilClosed((url) => url === `/v1/tuf/metadata/${file}`);
    await world.tagSet('auth', 'stable', '1.2.0');
    const { bytes } = await world.role('auth.tags');
    const endless = await closed;

    const refused = await host.logged('MODMESH_REMOTE_TOO_LARGE', (line) => String(line.msg).includes(file));
    expect(refused.msg).toContain(`over the ${bytes.length}-byte limit`);
    expect(endless.bytes).toBeGreaterThan(bytes.length);
    expect(endless.bytes).toBeLessThanOrEqual(bytes.length + IN_FLIGHT_BYTES);
    expect(new Set(await answers.stop())).toEqual(new Set(['1.1.0']));
    expect(await settledCacheEntries()).toEqual(entries);
    expect(host.evaluated()).toEqual(['auth@1.1.0']);

    world.proxy.setFault(undefined);
    await host.waitForAnswer('1.2.0');
    expect(host.evaluated()).toEqual(['auth@1.1.0', 'auth@1.2.0']);
  });

  it('the release document past the length auth.releases signed: MODMESH_REMOTE_TOO_LARGE at that length, 1.3.0 not evaluated', async () => {
    const entries = await settledCacheEntries();
    const answers = host.sample();
    const length = (await world.role<ReleasesSigned>('auth.releases')).envelope.signed.targets['auth/releases/1.3.0.json']?.length as number;
    expect(length).toBeGreaterThan(0);
    const endless = endlessUntilClosed((url) => url.startsWith('/v1/tuf/targets/auth/releases/') && url.endsWith('.1.3.0.json'));
    await world.tagSet('auth', 'stable', '1.3.0');

    const refused = await host.logged('MODMESH_REMOTE_TOO_LARGE', (line) => String(line.msg).includes('1.3.0.json'));
    expect(refused).toMatchObject({ remote: 'auth' });
    expect(refused.msg).toContain(`over the ${length}-byte limit`);
    const answer = await endless;
    expect(answer.bytes).toBeGreaterThan(length);
    expect(answer.bytes).toBeLessThanOrEqual(length + IN_FLIGHT_BYTES);
    expect(new Set(await answers.stop())).toEqual(new Set(['1.2.0']));
    // The metadata of the move is stored (set.json, rewritten in place); the document is not.
    expect(await settledCacheEntries()).toEqual(entries);
    expect(host.evaluated()).toEqual(['auth@1.1.0', 'auth@1.2.0']);
  });

  // The runtime reports a file over its signed size as MODMESH_HASH_MISMATCH (the registry served
  // other bytes than were signed), and refuses that release until the tag names another one.
  it('a release file past the size its manifest signed: MODMESH_HASH_MISMATCH at that size, 1.3.0 not evaluated', async () => {
    const entries = await settledCacheEntries();
    const answers = host.sample();
    const endless = await endlessUntilClosed((url) => url.startsWith('/v1/blobs/'));
    const size = statSync(path.join(world.releaseDir('auth', '1.3.0'), 'remoteEntry.js')).size;

    const refused = await host.logged('MODMESH_HASH_MISMATCH', (line) => String(line.msg).includes('is larger than the manifest says'));
    expect(refused).toMatchObject({ remote: 'auth', version: '1.3.0', file: expect.stringContaining('remoteEntry.js') });
    expect(endless.bytes).toBeGreaterThan(size);
    expect(endless.bytes).toBeLessThanOrEqual(size + IN_FLIGHT_BYTES);
    expect(new Set(await answers.stop())).toEqual(new Set(['1.2.0']));
    // The release document (fetched whole this time) is kept by its hash; no file of the release is.
    expect(cacheEntries().filter((entry) => !entries.includes(entry))).toHaveLength(1);
    expect(host.evaluated()).toEqual(['auth@1.1.0', 'auth@1.2.0']);
    world.proxy.setFault(undefined);
  });
});
