// Registry replicas on one PostgreSQL database, SIGKILLed at random points of publishes, again
// and again: each trial publishes through all three at once and kills one of them mid-way. After
// every restart: every publish that was acknowledged is there, no release is partial, every file
// matches its hash, and the stable tag, the audit log and the event log agree.
import { postgresUnavailable } from '@modmesh/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byLevel } from './record.js';
import { makeRelease, publishRelease, REPLICA_ADMIN_TOKEN, type ReplicaSet, sha256, startReplicaSet } from './replicas.js';
import { createTally, type Tally } from './tally.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the registry replica tests: ${unavailable}`);

const REPLICAS = 3;
// Each trial publishes through every replica at once: 60 publishes in `npm test`, 450 in the long form.
const TRIALS = byLevel(20, 150);
// Six files: enough work per publish for a kill to land in the middle of it.
const FILE_SIZES = [30_000, 20_000, 40_000, 60_000, 80_000, 100_000];

describe.skipIf(unavailable)('registry replicas killed mid-publish', () => {
  let replicas: ReplicaSet;
  beforeAll(async () => {
    replicas = await startReplicaSet({ count: REPLICAS, remotes: ['auth'] });
  });
  afterAll(() => replicas?.close());

  it(`stay consistent over ${TRIALS} SIGKILLs among ${TRIALS * REPLICAS} publishes`, { timeout: 60_000 + TRIALS * 8000 }, async () => {
    const started = performance.now();
    expect(await publishRelease(replicas.urls[0]!, REPLICA_ADMIN_TOKEN, makeRelease(replicas.publisher, 'auth', '0.0.1', FILE_SIZES), 'stable')).toBe(201);
    const publishMs = performance.now() - started;

    const tally = createTally('registry replicas SIGKILL mid-publish');
    const acknowledged = new Set<string>(['0.0.1']);
    const outcomes = { visible: 0, absent: 0 };
    for (let trial = 1; trial <= TRIALS; trial++) {
      tally.trial();
      const victim = Math.floor(Math.random() * REPLICAS);
      const versions = replicas.urls.map((_, index) => `1.${trial}.${index}`);
      const inFlight = versions.map((version, index) =>
        publishRelease(replicas.urls[index]!, REPLICA_ADMIN_TOKEN, makeRelease(replicas.publisher, 'auth', version, FILE_SIZES), 'stable').then(
          (status) => (status === 201 ? acknowledged.add(version) : undefined),
          () => undefined,
        ),
      );
      tally.requests(versions.length);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * publishMs * 1.5));
      await replicas.kill(victim);
      await Promise.all(inFlight);
      await replicas.restart(victim);

      const listed = await checkConsistent(replicas, tally, `kill #${trial}`, acknowledged);
      const victimVersion = versions[victim]!;
      outcomes[listed.includes(victimVersion) ? 'visible' : 'absent'] += 1;
    }
    await checkStored(replicas.database.url, tally);
    tally.record();
    expect(tally.problems.slice(0, 20)).toEqual([]);
    // Kills landed before and after the commit point: both sides were exercised.
    expect(outcomes.absent).toBeGreaterThan(0);
  });
});

// --- internal ---

/** What a user would see through the replicas; returns the versions listed. */
async function checkConsistent(replicas: ReplicaSet, tally: Tally, after: string, acknowledged: Set<string>): Promise<string[]> {
  const through = Math.floor(Math.random() * replicas.urls.length);
  const { body } = await replicas.api<{ versions: { version: string }[]; tags: { tag: string; version: string; seq: number }[] }>(
    through,
    'GET',
    '/v1/remotes/auth',
  );
  const listed = body.versions.map((entry) => entry.version);
  const gone = [...acknowledged].filter((version) => !listed.includes(version));
  tally.lost(gone.length, `${after}: acknowledged releases are not listed: ${gone.join(', ')}`);
  const stable = body.tags.find((tag) => tag.tag === 'stable');
  const { body: audit } = await replicas.api<{ history: { to: string; seq: number }[] }>(through, 'GET', '/v1/remotes/auth/tags/stable/history?limit=1000');
  tally.check(stable !== undefined && listed.includes(stable.version), `${after}: stable points at ${stable?.version}, which is not listed`);
  tally.check(audit.history[0]?.to === stable?.version, `${after}: stable is at ${stable?.version}, its last audited move to ${audit.history[0]?.to}`);
  tally.check(audit.history.length === stable?.seq, `${after}: stable moved ${stable?.seq} times, ${audit.history.length} moves audited`);
  return listed;
}

/** Every release whole, every file matching its hash, and events matching releases and moves: read from the database itself. */
async function checkStored(url: string, tally: Tally): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const releases = (await client.query<{ name: string; version: string; manifest: string }>('SELECT name, version, manifest FROM releases')).rows;
    for (const release of releases) {
      const signed = (JSON.parse(release.manifest) as { files: { path: string; size: number; sha256: string }[] }).files;
      const { rows } = await client.query<{ path: string; sha256: string; stored: Buffer | null }>(
        'SELECT f.path, f.sha256, b.bytes AS stored FROM release_files f LEFT JOIN blobs b ON b.sha256 = f.sha256 WHERE f.name = $1 AND f.version = $2',
        [release.name, release.version],
      );
      tally.lost(Math.max(0, signed.length - rows.length), `${release.version}: ${rows.length} of ${signed.length} files recorded`);
      for (const file of rows) tally.lost(file.stored && sha256(file.stored) === file.sha256 ? 0 : 1, `${release.version}: ${file.path} missing or altered`);
    }
    const corrupt = await client.query("SELECT sha256 FROM blobs WHERE encode(sha256(bytes), 'hex') <> sha256 OR octet_length(bytes) <> size");
    tally.lost(corrupt.rowCount ?? 0, `stored blobs that do not match their hash: ${corrupt.rows.map((row) => row.sha256).join(', ')}`);
    const published = await client.query("SELECT data->>'version' AS version FROM events WHERE type = 'release.published'");
    tally.check(published.rowCount === releases.length, `${published.rowCount} release.published events for ${releases.length} releases`);
    const moved = await client.query("SELECT count(*)::int AS count FROM events WHERE type = 'tag.moved'");
    const moves = await client.query('SELECT count(*)::int AS count FROM tag_moves');
    tally.check(moved.rows[0].count === moves.rows[0].count, `${moved.rows[0].count} tag.moved events for ${moves.rows[0].count} audited moves`);
  } finally {
    await client.end();
  }
}
