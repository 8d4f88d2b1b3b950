import type pg from 'pg';
import { checkSameRecord } from '../dump.js';
import type { DumpRecord } from '../types.js';
import { checkout, type Queryable } from './pool.js';
import {
  type EventRow,
  type FileRow,
  insertReleaseRows,
  type KeyRow,
  type ReleaseRow,
  type TagMoveRow,
  type TagRow,
  type TokenRow,
  toEvent,
  toFile,
  toKey,
  toMove,
  toRelease,
  toTag,
  toToken,
} from './rows.js';

// Rows read per query while dumping: memory stays bounded whatever the registry's size.
const PAGE = 500;

/**
 * Every record of a PostgreSQL registry, in the order `restore` needs (see MetadataStore.dump),
 * read in one snapshot: replicas publishing meanwhile never give a tag without its release.
 */
export async function* postgresDump(pool: pg.Pool): AsyncIterable<DumpRecord> {
  const connection = await checkout(pool);
  const { client } = connection;
  const read = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    try {
      return (await client.query<R>(text, values)).rows;
    } catch (error) {
      throw connection.failure(error);
    }
  };
  try {
    await read('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let after: [string, string] = ['', ''];
    for (;;) {
      const rows = await read<ReleaseRow>('SELECT * FROM releases WHERE (name, version) > ($1, $2) ORDER BY name, version LIMIT $3', [...after, PAGE]);
      for (const row of rows) yield { record: 'release', release: { ...toRelease(row), files: await filesOf(client, row.name, row.version) } };
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) break;
      after = [last.name, last.version];
    }
    for (const row of await read<KeyRow>('SELECT * FROM publisher_keys ORDER BY name, key_id')) yield { record: 'key', key: toKey(row) };
    for (const row of await read<TokenRow>('SELECT * FROM tokens ORDER BY id')) yield { record: 'token', token: toToken(row) };
    for (const row of await read<TagRow>('SELECT * FROM tags ORDER BY name, tag')) yield { record: 'tag', tag: toTag(row) };
    for (const table of ['tag_moves', 'events'] as const) {
      let afterId = 0;
      for (;;) {
        const rows = await read<TagMoveRow & EventRow>(`SELECT * FROM ${table} WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, PAGE]);
        for (const row of rows) yield table === 'events' ? { record: 'event', event: toEvent(row) } : { record: 'tagMove', move: toMove(row) };
        const last = rows.at(-1);
        if (!last || rows.length < PAGE) break;
        afterId = Number(last.id);
      }
    }
    await read('COMMIT');
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    connection.release();
  }
}

/** Writes dumped records inside the caller's transaction (see MetadataStore.restore). */
export async function restorePostgres(client: Queryable, records: DumpRecord[]): Promise<{ added: number; unchanged: number }> {
  const counts = { added: 0, unchanged: 0 };
  for (const record of records) {
    const outcome = checkSameRecord(record, await stored(client, record));
    counts[outcome === 'add' ? 'added' : 'unchanged'] += 1;
    if (outcome === 'add') await insert(client, record);
  }
  // Ids were written as they were; new ones must continue after the highest.
  await client.query(
    "SELECT setval(pg_get_serial_sequence('events', 'id'), GREATEST((SELECT MAX(id) FROM events), 1), (SELECT MAX(id) FROM events) IS NOT NULL)",
  );
  await client.query(
    "SELECT setval(pg_get_serial_sequence('tag_moves', 'id'), GREATEST((SELECT MAX(id) FROM tag_moves), 1), (SELECT MAX(id) FROM tag_moves) IS NOT NULL)",
  );
  return counts;
}

// --- internal ---

async function filesOf(client: Queryable, name: string, version: string) {
  return (await client.query<FileRow>('SELECT path, size, sha256 FROM release_files WHERE name = $1 AND version = $2 ORDER BY path', [name, version])).rows.map(
    toFile,
  );
}

async function stored(client: Queryable, record: DumpRecord): Promise<DumpRecord | undefined> {
  switch (record.record) {
    case 'release': {
      const { name, version } = record.release;
      const row = (await client.query<ReleaseRow>('SELECT * FROM releases WHERE name = $1 AND version = $2', [name, version])).rows[0];
      return row && { record: 'release', release: { ...toRelease(row), files: await filesOf(client, name, version) } };
    }
    case 'tag': {
      const row = (await client.query<TagRow>('SELECT * FROM tags WHERE name = $1 AND tag = $2', [record.tag.name, record.tag.tag])).rows[0];
      return row && { record: 'tag', tag: toTag(row) };
    }
    case 'tagMove': {
      const row = (await client.query<TagMoveRow>('SELECT * FROM tag_moves WHERE id = $1', [record.move.id])).rows[0];
      return row && { record: 'tagMove', move: toMove(row) };
    }
    case 'event': {
      const row = (await client.query<EventRow>('SELECT * FROM events WHERE id = $1', [record.event.id])).rows[0];
      return row && { record: 'event', event: toEvent(row) };
    }
    case 'key': {
      const row = (await client.query<KeyRow>('SELECT * FROM publisher_keys WHERE name = $1 AND key_id = $2', [record.key.name, record.key.keyId])).rows[0];
      return row && { record: 'key', key: toKey(row) };
    }
    case 'token': {
      // By id, and by hash: a token's secret must not come to mean another token.
      const row = (
        await client.query<TokenRow>('SELECT * FROM tokens WHERE id = $1 OR hash = $2 ORDER BY id = $1 DESC LIMIT 1', [record.token.id, record.token.hash])
      ).rows[0];
      return row && { record: 'token', token: toToken(row) };
    }
  }
}

async function insert(client: Queryable, record: DumpRecord): Promise<void> {
  switch (record.record) {
    case 'release':
      return insertReleaseRows(client, record.release);
    case 'tag': {
      const { tag } = record;
      await client.query('INSERT INTO tags (name, tag, version, seq, updated_at) VALUES ($1, $2, $3, $4, $5)', [
        tag.name,
        tag.tag,
        tag.version,
        tag.seq,
        tag.updatedAt,
      ]);
      return;
    }
    case 'tagMove': {
      const { move } = record;
      await client.query(
        'INSERT INTO tag_moves (id, name, tag, from_version, to_version, kind, actor, reason, at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [move.id, move.name, move.tag, move.from, move.to, move.kind, move.actor, move.reason, move.at, move.seq],
      );
      return;
    }
    case 'event': {
      const { event } = record;
      await client.query('INSERT INTO events (id, type, data, at) VALUES ($1, $2, $3, $4)', [event.id, event.type, JSON.stringify(event.data), event.at]);
      return;
    }
    case 'key': {
      const { key } = record;
      await client.query('INSERT INTO publisher_keys (name, key_id, public_key, label, added_at, added_by) VALUES ($1, $2, $3, $4, $5, $6)', [
        key.name,
        key.keyId,
        key.publicKey,
        key.label,
        key.addedAt,
        key.addedBy,
      ]);
      return;
    }
    case 'token': {
      const { token } = record;
      await client.query('INSERT INTO tokens (id, hash, role, remote, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        token.id,
        token.hash,
        token.role,
        token.remote,
        token.label,
        token.createdAt,
      ]);
      return;
    }
  }
}
