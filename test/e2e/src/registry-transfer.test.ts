// Moving a registry between storages with the CLI: SQLite to PostgreSQL and back with
// `modmesh registry export` / `import`. What a user would check afterwards: the same releases,
// tags, audit log and events served, every file still matching its hash, the same tokens
// working, hosts resuming their event streams with the ids they had; importing twice changes
// nothing; an export with an altered file is refused with nothing written.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePublisherKeyPair } from '@modmesh/manifest';
import {
  createTestDatabase,
  postgresUnavailable,
  requestJson,
  requireCompiled,
  runScript,
  type ServiceProcess,
  startService,
  type TestDatabase,
} from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRelease, publishRelease, sha256 } from '../../chaos/src/replicas.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the registry export/import tests: ${unavailable}`);

const CLI = requireCompiled('packages/cli/bin/modmesh.js');
const ADMIN = 'transfer-admin-token-0123456789abcdef';

describe.skipIf(unavailable)('modmesh registry export / import', () => {
  let work: string;
  let database: TestDatabase;
  const publisher = generatePublisherKeyPair();
  let publishToken: string;
  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-transfer-'));
    database = await createTestDatabase();
    // A SQLite registry with history: three releases, moves, a rollback, keys and tokens.
    const registry = await start(['--data', path.join(work, 'sqlite')]);
    const api = (method: string, route: string, body?: unknown) =>
      requestJson<Record<string, unknown>>(`${registry.url}${route}`, { method, json: body, headers: { authorization: `Bearer ${ADMIN}` } });
    expect((await api('POST', '/v1/remotes/auth/keys', { publicKey: publisher.publicKey })).status).toBe(201);
    publishToken = String((await api('POST', '/v1/tokens', { remote: 'auth', label: 'CI' })).body.token);
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
      expect(await publishRelease(registry.url, publishToken, makeRelease(publisher, 'auth', version, [3000, 5000, 800]), 'stable')).toBe(201);
    }
    expect((await api('POST', '/v1/remotes/auth/tags/stable/rollback', { reason: 'broken' })).status).toBe(200);
    await registry.stop();
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('moves a registry from SQLite to PostgreSQL and back, serving the same things; importing twice changes nothing', { timeout: 120_000 }, async () => {
    const before = await snapshotOf(['--data', path.join(work, 'sqlite')]);
    expect(before.events).toHaveLength(6);
    expect(Object.values(before.files)).toEqual(Array(9).fill(true));
    expect(before.publishTokenStatus).toBe(400);
    await cli(['registry', 'export', '--data', path.join(work, 'sqlite'), '--out', path.join(work, 'export-1')]);

    await cli(['registry', 'migrate', '--storage', database.url]);
    const first = JSON.parse(await cli(['registry', 'import', path.join(work, 'export-1'), '--storage', database.url, '--json']));
    const again = JSON.parse(await cli(['registry', 'import', path.join(work, 'export-1'), '--storage', database.url, '--json']));
    expect(first).toMatchObject({ records: { release: 3, tag: 1, tagMove: 4, event: 7, key: 1, token: 1 }, files: 9, filesAdded: 9, unchanged: 0 });
    expect(again).toMatchObject({ added: 0, filesAdded: 0, unchanged: first.added });

    const onPostgres = await snapshotOf(['--storage', database.url]);
    expect(onPostgres).toEqual(before);

    await cli(['registry', 'export', '--storage', database.url, '--out', path.join(work, 'export-2')]);
    await cli(['registry', 'import', path.join(work, 'export-2'), '--data', path.join(work, 'sqlite-again')]);
    expect(await snapshotOf(['--data', path.join(work, 'sqlite-again')])).toEqual(before);
    expect(records(path.join(work, 'export-2'))).toEqual(records(path.join(work, 'export-1')));
  });

  it('refuses an export whose file was altered with MODMESH_HASH_MISMATCH, and writes nothing', { timeout: 60_000 }, async () => {
    const target = await createTestDatabase();
    try {
      const dir = path.join(work, 'export-tampered');
      await cli(['registry', 'export', '--data', path.join(work, 'sqlite'), '--out', dir]);
      const [blob] = readdirSync(path.join(dir, 'blobs'));
      appendFileSync(path.join(dir, 'blobs', blob!), 'injected();');

      const refused = await runScript({ script: CLI, args: ['registry', 'import', dir, '--storage', target.url, '--migrate'] });

      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('MODMESH_HASH_MISMATCH');
      const empty = JSON.parse(await cli(['registry', 'export', '--storage', target.url, '--out', path.join(work, 'export-empty'), '--json']));
      expect(empty).toMatchObject({ records: { release: 0, tag: 0, tagMove: 0, event: 0, key: 0, token: 0 }, files: 0 });
    } finally {
      await target.drop();
    }
  });

  // --- helpers ---

  async function cli(args: string[]): Promise<string> {
    const result = await runScript({ script: CLI, args, deadlineMs: 60_000 });
    if (result.code !== 0) throw new Error(`modmesh ${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
    return result.stdout;
  }

  function start(storage: string[]): Promise<ServiceProcess> {
    return startService({
      script: CLI,
      args: ['registry', 'start', '--port', '0', ...storage],
      env: { MODMESH_ADMIN_TOKEN: ADMIN, MODMESH_LOG_LEVEL: 'warn' },
    });
  }

  /** What hosts and users see of a registry: every answer that matters, files re-hashed, the publish token tried, events after the first. */
  async function snapshotOf(storage: string[]) {
    const registry = await start(storage);
    try {
      const get = async (route: string) => (await requestJson<Record<string, unknown>>(`${registry.url}${route}`)).body;
      const remote = (await get('/v1/remotes/auth')) as { versions: { version: string }[] };
      const files: Record<string, boolean> = {};
      for (const { version } of remote.versions) {
        const { manifest } = (await get(`/v1/remotes/auth/releases/${version}`)) as { manifest: { files: { path: string; sha256: string }[] } };
        for (const file of manifest.files) {
          const bytes = Buffer.from(await (await fetch(`${registry.url}/v1/remotes/auth/releases/${version}/files/${file.path}`)).arrayBuffer());
          files[`${version}/${file.path}`] = sha256(bytes) === file.sha256;
        }
      }
      const whoami = await requestJson(`${registry.url}/v1/remotes/auth/tags/stable`, {
        method: 'PUT',
        json: {},
        headers: { authorization: `Bearer ${publishToken}` },
      });
      return {
        remote,
        releases: await Promise.all(remote.versions.map(({ version }) => get(`/v1/remotes/auth/releases/${version}`))),
        resolve: await get('/v1/remotes/auth/resolve/stable'),
        history: await get('/v1/remotes/auth/history'),
        files,
        // The token is known (a 400 for the missing body, not a 401).
        publishTokenStatus: whoami.status,
        events: await eventsAfter(registry.url, 1),
      };
    } finally {
      await registry.stop();
    }
  }
});

// --- internal ---

/** The event ids and types a host resuming after `lastEventId` is sent, up to the current end. */
async function eventsAfter(url: string, lastEventId: number): Promise<string[]> {
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/events`, { headers: { 'last-event-id': String(lastEventId) }, signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  // The backlog is written at once; the stream then stays open for what comes next.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (text.match(/^id: /gm)?.length ?? 0) < 6) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  controller.abort();
  return [...text.matchAll(/^id: (\d+)\nevent: (\S+)$/gm)].map((match) => `${match[1]} ${match[2]}`);
}

// The records of an export, less the bookkeeping that snapshotOf's own probe with the publish
// token adds on each registry it starts: an audit entry, and the token's last use.
function records(dir: string): unknown[] {
  return readFileSync(path.join(dir, 'registry.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((record) => record.record !== 'audit')
    .map((record) => (record.record === 'token' ? { ...record, token: { ...record.token, lastUsedAt: undefined } } : record))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}
