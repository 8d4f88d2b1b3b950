import type Database from 'better-sqlite3';
import { checkSameRecord } from './dump.js';
import {
  type EventRow,
  type KeyRow,
  type ReleaseRow,
  type TagMoveRow,
  type TagRow,
  type TokenRow,
  toEvent,
  toKey,
  toMove,
  toRelease,
  toTag,
  toToken,
} from './sqlite-rows.js';
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
    yield { record: 'release', release: { ...toRelease(row), files: filesOf(prepare, row.name, row.version) } };
  }
  for (const row of prepare('SELECT * FROM publisher_keys ORDER BY name, key_id').all() as KeyRow[]) yield { record: 'key', key: toKey(row) };
  for (const row of prepare('SELECT * FROM tokens ORDER BY id').all() as TokenRow[]) yield { record: 'token', token: toToken(row) };
  for (const row of prepare('SELECT * FROM tags ORDER BY name, tag').all() as TagRow[]) yield { record: 'tag', tag: toTag(row) };
  for (const row of prepare('SELECT * FROM tag_moves ORDER BY id').iterate() as Iterable<TagMoveRow>) yield { record: 'tagMove', move: toMove(row) };
  for (const row of prepare('SELECT * FROM events ORDER BY id').iterate() as Iterable<EventRow>) yield { record: 'event', event: toEvent(row) };
}

function filesOf(prepare: Prepare, name: string, version: string): ReleaseFile[] {
  return prepare('SELECT path, size, sha256 FROM release_files WHERE name = ? AND version = ? ORDER BY path').all(name, version) as ReleaseFile[];
}

function stored(prepare: Prepare, record: DumpRecord): DumpRecord | undefined {
  switch (record.record) {
    case 'release': {
      const { name, version } = record.release;
      const row = prepare('SELECT * FROM releases WHERE name = ? AND version = ?').get(name, version) as ReleaseRow | undefined;
      return row && { record: 'release', release: { ...toRelease(row), files: filesOf(prepare, name, version) } };
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
  }
}

function insert(prepare: Prepare, record: DumpRecord): void {
  switch (record.record) {
    case 'release': {
      const { release } = record;
      prepare('INSERT INTO releases (name, version, manifest, signature, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?)').run(
        release.name,
        release.version,
        release.manifest,
        JSON.stringify(release.signature),
        release.publishedAt,
        release.publishedBy,
      );
      const addFile = prepare('INSERT INTO release_files (name, version, path, size, sha256) VALUES (?, ?, ?, ?, ?)');
      for (const file of release.files) addFile.run(release.name, release.version, file.path, file.size, file.sha256);
      return;
    }
    case 'tag': {
      const { tag } = record;
      prepare('INSERT INTO tags (name, tag, version, seq, updated_at) VALUES (?, ?, ?, ?, ?)').run(tag.name, tag.tag, tag.version, tag.seq, tag.updatedAt);
      return;
    }
    case 'tagMove': {
      const { move } = record;
      prepare('INSERT INTO tag_moves (id, name, tag, from_version, to_version, kind, actor, reason, at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
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
      const { token } = record;
      prepare('INSERT INTO tokens (id, hash, role, remote, label, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        token.id,
        token.hash,
        token.role,
        token.remote,
        token.label,
        token.createdAt,
      );
      return;
    }
  }
}
