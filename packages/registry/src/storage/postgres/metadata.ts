import { ModmeshError } from '@modmesh/manifest';
import type pg from 'pg';
import semver from 'semver';
import type { MetadataStore, RegistryEvent, TagMove, TagMoveRequest } from '../types.js';
import { postgresDump, restorePostgres } from './dump.js';
import { watchPostgresEvents } from './listen.js';
import { type Queryable, query, transaction } from './pool.js';
import {
  type EventRow,
  type FileRow,
  insertReleaseRows,
  type KeyRow,
  type ReleaseRow,
  type TagMoveRow,
  type TagRow,
  toEvent,
  toFile,
  toKey,
  toMove,
  toRelease,
  toTag,
} from './rows.js';
import { createPostgresTokens } from './tokens.js';
import { createPostgresTuf } from './tuf.js';
import { appendEvent, EVENTS_CHANNEL, notify, WRITE_LOCK } from './writes.js';

export { EVENTS_CHANNEL };

/**
 * Registry metadata in PostgreSQL, shared by any number of registry processes. Every multi-row
 * change is one transaction; a process killed at any point leaves either all of it or none.
 */
export function createPostgresMetadataStore(pool: pg.Pool, options: { url: string; onError?: (error: Error) => void }): MetadataStore {
  return {
    async insertRelease(release) {
      return transaction(pool, async function insertReleaseTransaction(client) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        const existing = await client.query('SELECT 1 FROM releases WHERE name = $1 AND version = $2', [release.name, release.version]);
        if (existing.rowCount) {
          throw new ModmeshError('MODMESH_VERSION_EXISTS', `${release.name}@${release.version} is already published; releases are immutable`, {
            remote: release.name,
            version: release.version,
          });
        }
        await insertReleaseRows(client, release);
        const events = [
          await appendEvent(
            client,
            'release.published',
            { name: release.name, version: release.version, publishedBy: release.publishedBy },
            release.publishedAt,
          ),
        ];
        if (release.tag) {
          const current = await client.query<{ version: string }>('SELECT version FROM tags WHERE name = $1 AND tag = $2', [release.name, release.tag.name]);
          const { event } = await moveTagIn(
            client,
            {
              name: release.name,
              tag: release.tag.name,
              to: release.version,
              expect: current.rows[0]?.version ?? null,
              kind: 'move',
              actor: release.publishedBy,
              reason: release.tag.reason,
            },
            release.publishedAt,
          );
          events.push(event);
        }
        await notify(client, events);
        return events;
      });
    },
    async getRelease(name, version) {
      const { rows } = await query<ReleaseRow>(pool, 'SELECT * FROM releases WHERE name = $1 AND version = $2', [name, version]);
      return rows[0] && toRelease(rows[0]);
    },
    async releaseFiles(name, version) {
      const { rows } = await query<FileRow>(pool, 'SELECT path, size, sha256 FROM release_files WHERE name = $1 AND version = $2 ORDER BY path', [
        name,
        version,
      ]);
      return rows.map(toFile);
    },
    async pathOfBlob(sha256) {
      return (await query<{ path: string }>(pool, 'SELECT path FROM release_files WHERE sha256 = $1 LIMIT 1', [sha256])).rows[0]?.path;
    },
    async listRemotes() {
      const [names, versions, tags] = await Promise.all([
        query<{ name: string }>(pool, 'SELECT name FROM releases UNION SELECT name FROM publisher_keys ORDER BY name'),
        query<{ name: string; version: string }>(pool, 'SELECT name, version FROM releases'),
        query<{ name: string; tag: string; version: string }>(pool, 'SELECT name, tag, version FROM tags ORDER BY name, tag'),
      ]);
      return names.rows.map(({ name }) => {
        const published = versions.rows.filter((row) => row.name === name).map((row) => row.version);
        const own = tags.rows.filter((row) => row.name === name);
        return {
          name,
          releases: published.length,
          latest: semver.rsort(published)[0] ?? null,
          tags: Object.fromEntries(own.map((row) => [row.tag, row.version])),
        };
      });
    },
    async listVersions(name) {
      const { rows } = await query<{ version: string; published_at: Date }>(
        pool,
        'SELECT version, published_at FROM releases WHERE name = $1 ORDER BY published_at, version',
        [name],
      );
      return rows.map((row) => ({ version: row.version, publishedAt: row.published_at.toISOString() }));
    },
    async getTags(name) {
      return (await query<TagRow>(pool, 'SELECT * FROM tags WHERE name = $1 ORDER BY tag', [name])).rows.map(toTag);
    },
    async moveTag(request) {
      return transaction(pool, async function moveTagTransaction(client) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        const result = await moveTagIn(client, request, new Date().toISOString());
        await notify(client, [result.event]);
        return result;
      });
    },
    async tagHistory(name, tag, limit = 1000) {
      const { rows } = tag
        ? await query<TagMoveRow>(pool, 'SELECT * FROM tag_moves WHERE name = $1 AND tag = $2 ORDER BY id DESC LIMIT $3', [name, tag, limit])
        : await query<TagMoveRow>(pool, 'SELECT * FROM tag_moves WHERE name = $1 ORDER BY id DESC LIMIT $2', [name, limit]);
      return rows.map(toMove);
    },
    async eventsAfter(id, limit) {
      return (await query<EventRow>(pool, 'SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2', [id, limit])).rows.map(toEvent);
    },
    async latestEventId() {
      return Number((await query<{ id: string }>(pool, 'SELECT COALESCE(MAX(id), 0) AS id FROM events')).rows[0]?.id ?? 0);
    },
    watchEvents: (onEvents) => watchPostgresEvents(options.url, EVENTS_CHANNEL, onEvents, options.onError),
    async addPublisherKey(key) {
      // Registering a known key again keeps when and by whom it was first added, and takes the new label.
      await query(
        pool,
        'INSERT INTO publisher_keys (name, key_id, public_key, label, added_at, added_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name, key_id) DO UPDATE SET label = excluded.label',
        [key.name, key.keyId, key.publicKey, key.label, key.addedAt, key.addedBy],
      );
    },
    async publisherKeys(name) {
      return (await query<KeyRow>(pool, 'SELECT * FROM publisher_keys WHERE name = $1 ORDER BY added_at, key_id', [name])).rows.map(toKey);
    },
    async removePublisherKey(name, keyId) {
      return ((await query(pool, 'DELETE FROM publisher_keys WHERE name = $1 AND key_id = $2', [name, keyId])).rowCount ?? 0) > 0;
    },
    ...createPostgresTokens(pool),
    ...createPostgresTuf(pool),
    dump: () => postgresDump(pool),
    restore: (records, restoreOptions) =>
      transaction(pool, async function restoreTransaction(client) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        const counts = await restorePostgres(client, records);
        if (restoreOptions?.dryRun) throw new DryRun(counts);
        await client.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`);
        return counts;
      }).catch((error: unknown) => {
        if (error instanceof DryRun) return error.counts;
        throw error;
      }),
    async close() {
      await pool.end();
    },
  };
}

// --- internal ---

/** Thrown out of a dry-run restore's transaction so that it rolls back, carrying what it would have done. */
class DryRun extends Error {
  constructor(readonly counts: { added: number; unchanged: number }) {
    super('dry run');
  }
}

async function moveTagIn(client: Queryable, request: TagMoveRequest, at: string): Promise<{ move: TagMove; event: RegistryEvent }> {
  const current = (
    await client.query<{ version: string; seq: string }>('SELECT version, seq FROM tags WHERE name = $1 AND tag = $2', [request.name, request.tag])
  ).rows[0];
  if ((current?.version ?? null) !== request.expect) {
    throw new ModmeshError(
      'MODMESH_TAG_CONFLICT',
      `${request.name}@${request.tag} points at ${current?.version ?? 'nothing'}, not ${request.expect ?? 'nothing'} as the move expected`,
      { remote: request.name, version: request.to },
    );
  }
  const exists = await client.query('SELECT 1 FROM releases WHERE name = $1 AND version = $2', [request.name, request.to]);
  if (!exists.rowCount)
    throw new ModmeshError('MODMESH_NOT_FOUND', `${request.name}@${request.to} is not published`, { remote: request.name, version: request.to });
  const seq = Number(current?.seq ?? 0) + 1;
  await client.query(
    'INSERT INTO tags (name, tag, version, seq, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, tag) DO UPDATE SET version = excluded.version, seq = excluded.seq, updated_at = excluded.updated_at',
    [request.name, request.tag, request.to, seq, at],
  );
  const fields = {
    name: request.name,
    tag: request.tag,
    from: current?.version ?? null,
    to: request.to,
    kind: request.kind,
    actor: request.actor,
    reason: request.reason,
    at,
    seq,
  };
  const { rows } = await client.query<{ id: string }>(
    'INSERT INTO tag_moves (name, tag, from_version, to_version, kind, actor, reason, at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id',
    [fields.name, fields.tag, fields.from, fields.to, fields.kind, fields.actor, fields.reason, at, seq],
  );
  return { move: { id: Number(rows[0]?.id), ...fields }, event: await appendEvent(client, 'tag.moved', fields, at) };
}
