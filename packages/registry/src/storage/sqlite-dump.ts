import type Database from 'better-sqlite3';
import { checkSameRecord } from './dump.js';
import {
  type AuditRow,
  type EventRow,
  insertReleaseRow,
  type KeyRow,
  type ReleaseRow,
  type TagMoveRow,
  type TagRow,
  type TokenRow,
  type TufRow,
  toAudit,
  toEvent,
  toKey,
  toMove,
  toRelease,
  toTag,
  toToken,
  toTufRow,
} from './sqlite-rows.js';
import { insertToken } from './sqlite-tokens.js';
import { insertTufRow } from './sqlite-tuf.js';
import type { DumpRecord, ReleaseFile } from './types.js';

type Prepare = (sql: string) => Database.Statement;

/**
 * Every record of a SQLite registry, in the order `restore` needs (see MetadataStore.dump), read
 * in one transaction (one snapshot, even while the registry publishes). Metadata only: held in
 * memory, a few hundred bytes a record.
 */
export async function* sqliteDump(db: Database.Database, prepare: Prepare): AsyncIterable<DumpRecord> {
  yield* db.transaction((): DumpRecord[] => [...readAll(prepare)])();
}

/** Writes dumped records in one transaction (see MetadataStore.restore). */
export function restoreSqlite(db: Database.Database, prepare: Prepare, records: DumpRecord[], dryRun: boolean): { added: number; unchanged: number } {
  const counts = { added: 0, unchanged: 0 };
  const restore = db.transaction((): void => {
    for (const record of records) {
      const outcome = checkSameRecord(record, stored(prepare, record));
      counts[outcome === 'add' ? 'added' : 'unchanged'] += 1;
      if (outcome === 'add') insert(prepare, record);
    }
    // Thrown out of the transaction, so that it rolls back.
    if (dryRun) throw DRY_RUN;
  });
  try {
    restore.immediate();
  } catch (error) {
    if (error !== DRY_RUN) throw error;
  }
  return counts;
}

// --- internal ---

const DRY_RUN = Symbol('dry run');

function* readAll(prepare: Prepare): Iterable<DumpRecord> {
  for (const row of prepare('SELECT * FROM releases ORDER BY name, version').iterate() as Iterable<ReleaseRow>) {
    yield releaseRecord(prepare, row);
  }
  for (const row of prepare('SELECT * FROM publisher_keys ORDER BY name, key_id').all() as KeyRow[]) yield { record: 'key', key: toKey(row) };
  for (const row of prepare('SELECT * FROM tokens ORDER BY id').all() as TokenRow[]) yield { record: 'token', token: toToken(row) };
  for (const row of prepare('SELECT * FROM tags ORDER BY name, tag').all() as TagRow[]) yield { record: 'tag', tag: toTag(row) };
  for (const row of prepare('SELECT * FROM tag_moves ORDER BY id').iterate() as Iterable<TagMoveRow>) yield { record: 'tagMove', move: toMove(row) };
  for (const row of prepare('SELECT * FROM events ORDER BY id').iterate() as Iterable<EventRow>) yield { record: 'event', event: toEvent(row) };
  for (const row of prepare('SELECT * FROM tuf_metadata ORDER BY role, version').iterate() as Iterable<TufRow & { bytes: Buffer }>) yield tufRecord(row);
  for (const row of prepare('SELECT * FROM audit ORDER BY id').iterate() as Iterable<AuditRow>) yield { record: 'audit', entry: toAudit(row) };
}

// A release published in root mode keeps its exact document and signers; any other's is derived again.
function releaseRecord(prepare: Prepare, row: ReleaseRow): DumpRecord {
  const signed = row.signers ? { document: row.document ?? '', signers: JSON.parse(row.signers) as string[] } : {};
  return { record: 'release', release: { ...toRelease(row), files: filesOf(prepare, row.name, row.version), ...signed } };
}

function tufRecord(row: TufRow & { bytes: Buffer }): DumpRecord {
  const { bytes, ...meta } = toTufRow(row);
  return { record: 'tufMetadata', metadata: { ...meta, bytes: Buffer.from(bytes).toString('base64') } };
}

function filesOf(prepare: Prepare, name: string, version: string): ReleaseFile[] {
  return prepare('SELECT path, size, sha256 FROM release_files WHERE name = ? AND version = ? ORDER BY path').all(name, version) as ReleaseFile[];
}

function stored(prepare: Prepare, record: DumpRecord): DumpRecord | undefined {
  switch (record.record) {
    case 'release': {
      const { name, version } = record.release;
      const row = prepare('SELECT * FROM releases WHERE name = ? AND version = ?').get(name, version) as ReleaseRow | undefined;
      return row && releaseRecord(prepare, row);
    }
    case 'tag': {
      const row = prepare('SELECT * FROM tags WHERE name = ? AND tag = ?').get(record.tag.name, record.tag.tag) as TagRow | undefined;
      return row && { record: 'tag', tag: toTag(row) };
    }
    case 'tagMove': {
      const row = prepare('SELECT * FROM tag_moves WHERE id = ?').get(record.move.id) as TagMoveRow | undefined;
      return row && { record: 'tagMove', move: toMove(row) };
    }
    case 'event': {
      const row = prepare('SELECT * FROM events WHERE id = ?').get(record.event.id) as EventRow | undefined;
      return row && { record: 'event', event: toEvent(row) };
    }
    case 'key': {
      const row = prepare('SELECT * FROM publisher_keys WHERE name = ? AND key_id = ?').get(record.key.name, record.key.keyId) as KeyRow | undefined;
      return row && { record: 'key', key: toKey(row) };
    }
    case 'token': {
      // By id, and by hash: a token's secret must not come to mean another token.
      const row = prepare('SELECT * FROM tokens WHERE id = ? OR hash = ? ORDER BY id = ? DESC LIMIT 1').get(
        record.token.id,
        record.token.hash,
        record.token.id,
      ) as TokenRow | undefined;
      return row && { record: 'token', token: toToken(row) };
    }
    case 'tufMetadata': {
      const row = prepare('SELECT * FROM tuf_metadata WHERE role = ? AND version = ?').get(record.metadata.role, record.metadata.version);
      return row ? tufRecord(row as TufRow & { bytes: Buffer }) : undefined;
    }
    case 'audit': {
      const row = prepare('SELECT * FROM audit WHERE id = ?').get(record.entry.id) as AuditRow | undefined;
      return row && { record: 'audit', entry: toAudit(row) };
    }
  }
}

function insert(prepare: Prepare, record: DumpRecord): void {
  switch (record.record) {
    case 'release': {
      insertReleaseRow(prepare, record.release);
      return;
    }
    case 'tag': {
      const { tag } = record;
      prepare('INSERT INTO tags (name, tag, version, seq, updated_at) VALUES (?, ?, ?, ?, ?)').run(tag.name, tag.tag, tag.version, tag.seq, tag.updatedAt);
      return;
    }
    case 'tagMove': {
      const { move } = record;
      prepare(
        'INSERT INTO tag_moves (id, name, tag, from_version, to_version, kind, actor, reason, at, seq, role_version, signers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
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
      );
      return;
    }
    case 'event': {
      const { event } = record;
      prepare('INSERT INTO events (id, type, data, at) VALUES (?, ?, ?, ?)').run(event.id, event.type, JSON.stringify(event.data), event.at);
      return;
    }
    case 'key': {
      const { key } = record;
      prepare('INSERT INTO publisher_keys (name, key_id, public_key, label, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)').run(
        key.name,
        key.keyId,
        key.publicKey,
        key.label,
        key.addedAt,
        key.addedBy,
      );
      return;
    }
    case 'token': {
      insertToken(prepare, record.token);
      return;
    }
    case 'tufMetadata': {
      const { bytes, ...meta } = record.metadata;
      insertTufRow(prepare, { ...meta, bytes: new Uint8Array(Buffer.from(bytes, 'base64')) });
      // The head follows the newest document of each top-level role.
      if (['root', 'targets', 'snapshot', 'timestamp'].includes(meta.role)) {
        prepare(`UPDATE tuf_head SET ${meta.role} = MAX(${meta.role}, ?) WHERE id = 1`).run(meta.version);
      }
      return;
    }
    case 'audit': {
      const { entry } = record;
      prepare('INSERT INTO audit (id, at, token_id, role, action, subject, outcome, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        entry.id,
        entry.at,
        entry.tokenId,
        entry.role,
        entry.action,
        entry.subject,
        entry.outcome,
        entry.address,
      );
      return;
    }
  }
}
