import type pg from 'pg';
import { checkSameRecord } from '../dump.js';
import type { DumpRecord } from '../types.js';
import { checkout, type Queryable } from './pool.js';
import {
  type AuditRow,
  type EventRow,
  type FileRow,
  insertReleaseRows,
  insertTokenRow,
  insertTufRow,
  type KeyRow,
  type ReleaseRow,
  type TagMoveRow,
  type TagRow,
  type TokenRow,
  type TufRow,
  toAudit,
  toEvent,
  toFile,
  toKey,
  toMove,
  toRelease,
  toTag,
  toToken,
  toTufRow,
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
      for (const row of rows) yield await releaseRecord(client, row);
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
    for (const row of await read<TufRow & { bytes: Buffer }>('SELECT * FROM tuf_metadata ORDER BY role, version')) yield tufRecord(row);
    let afterAudit = 0;
    for (;;) {
      const rows = await read<AuditRow>('SELECT * FROM audit WHERE id > $1 ORDER BY id LIMIT $2', [afterAudit, PAGE]);
      for (const row of rows) yield { record: 'audit', entry: toAudit(row) };
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) break;
      afterAudit = Number(last.id);
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
  await client.query("SELECT setval(pg_get_serial_sequence('audit', 'id'), GREATEST((SELECT MAX(id) FROM audit), 1), (SELECT MAX(id) FROM audit) IS NOT NULL)");
  return counts;
}

// --- internal ---

// A release published in root mode keeps its exact document and signers; any other's is derived again.
async function releaseRecord(client: Queryable, row: ReleaseRow): Promise<DumpRecord> {
  const signed = row.signers ? { document: row.document ?? '', signers: row.signers } : {};
  return { record: 'release', release: { ...toRelease(row), files: await filesOf(client, row.name, row.version), ...signed } };
}

function tufRecord(row: TufRow & { bytes: Buffer }): DumpRecord {
  const { bytes, ...meta } = toTufRow(row);
  return { record: 'tufMetadata', metadata: { ...meta, bytes: Buffer.from(bytes).toString('base64') } };
}

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
      return row && (await releaseRecord(client, row));
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
    case 'tufMetadata': {
      const { role, version } = record.metadata;
      const row = (await client.query<TufRow & { bytes: Buffer }>('SELECT * FROM tuf_metadata WHERE role = $1 AND version = $2', [role, version])).rows[0];
      return row && tufRecord(row);
    }
    case 'audit': {
      const row = (await client.query<AuditRow>('SELECT * FROM audit WHERE id = $1', [record.entry.id])).rows[0];
      return row && { record: 'audit', entry: toAudit(row) };
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
        'INSERT INTO tag_moves (id, name, tag, from_version, to_version, kind, actor, reason, at, seq, role_version, signers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
        [
          move.id,
          move.name,
          move.tag,
          move.from,
          move.to,
          move.kind,
          move.actor,
          move.reason,
          move.at,
          move.seq,
          move.roleVersion ?? null,
          move.signers ? JSON.stringify(move.signers) : null,
        ],
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
    case 'token':
      return insertTokenRow(client, record.token);
    case 'tufMetadata': {
      const { bytes, ...meta } = record.metadata;
      await insertTufRow(client, { ...meta, bytes: new Uint8Array(Buffer.from(bytes, 'base64')) });
      // The head follows the newest document of each top-level role.
      if (['root', 'targets', 'snapshot', 'timestamp'].includes(meta.role)) {
        await client.query(`UPDATE tuf_head SET "${meta.role}" = GREATEST("${meta.role}", $1) WHERE id = 1`, [meta.version]);
      }
      return;
    }
    case 'audit': {
      const { entry } = record;
      await client.query('INSERT INTO audit (id, at, token_id, role, action, subject, outcome, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        entry.id,
        entry.at,
        entry.tokenId,
        entry.role,
        entry.action,
        entry.subject,
        entry.outcome,
        entry.address,
      ]);
      return;
    }
  }
}
