import { ModmeshError } from '@modmesh/manifest';
import type Database from 'better-sqlite3';
import { headOf, metaConflict, TOP_LEVEL_ROLES } from './documents.js';
import { type TufRow, toTufMeta, toTufRow } from './sqlite-rows.js';
import type { MetadataCommit, MetadataStore, NewRelease, RegistryEvent, ReleaseDocument, TufMetadataRow } from './types.js';

type Prepare = (sql: string) => Database.Statement;
type TufMethods = Pick<MetadataStore, 'tufHead' | 'getMetadata' | 'commitMetadata' | 'releaseDocument' | 'releaseDocumentByHash'>;

interface Helpers {
  appendEvent(type: RegistryEvent['type'], data: RegistryEvent['data'], at: string): RegistryEvent;
  insertReleaseRow(release: NewRelease): void;
}

/**
 * TUF metadata in SQLite: immutable rows by (role, version), the head row, and a change with
 * the release and tag moves it states in one immediate transaction (SQLite has one writer at a
 * time, so the head read at its start is the head it commits on).
 */
export function createSqliteTuf(db: Database.Database, prepare: Prepare, helpers: Helpers): TufMethods {
  const commit = db.transaction((change: MetadataCommit): { events: RegistryEvent[] } | { stale: true } => {
    const head = prepare('SELECT root, targets, snapshot, timestamp FROM tuf_head WHERE id = 1').get() as Record<string, number>;
    if (head.snapshot !== change.expect.snapshot || head.timestamp !== change.expect.timestamp) return { stale: true };
    for (const row of change.rows) {
      const current = (prepare('SELECT COALESCE(MAX(version), 0) AS version FROM tuf_metadata WHERE role = ?').get(row.role) as { version: number }).version;
      if (row.version <= current) throw metaConflict(row.role, row.version, current);
      insertTufRow(prepare, row);
      if ((TOP_LEVEL_ROLES as readonly string[]).includes(row.role)) prepare(`UPDATE tuf_head SET ${row.role} = ? WHERE id = 1`).run(row.version);
    }
    const at = change.rows[0]?.createdAt ?? new Date().toISOString();
    const events: RegistryEvent[] = [];
    if (change.release) {
      const { name, version } = change.release;
      if (prepare('SELECT 1 FROM releases WHERE name = ? AND version = ?').get(name, version)) {
        throw new ModmeshError('MODMESH_VERSION_EXISTS', `${name}@${version} is already published; releases are immutable`, { remote: name, version });
      }
      helpers.insertReleaseRow(change.release);
      events.push(helpers.appendEvent('release.published', { name, version, publishedBy: change.release.publishedBy }, change.release.publishedAt));
    }
    for (const move of change.tagMoves ?? []) {
      prepare(
        'INSERT INTO tags (name, tag, version, seq, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, tag) DO UPDATE SET version = excluded.version, seq = excluded.seq, updated_at = excluded.updated_at',
      ).run(move.name, move.tag, move.to, move.seq, move.at);
      prepare(
        'INSERT INTO tag_moves (name, tag, from_version, to_version, kind, actor, reason, at, seq, role_version, signers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(move.name, move.tag, move.from, move.to, move.kind, move.actor, move.reason, move.at, move.seq, move.roleVersion, JSON.stringify(move.signers));
      events.push(helpers.appendEvent('tag.moved', move, move.at));
    }
    const timestamp = change.rows.find((row) => row.role === 'timestamp');
    if (timestamp) events.push(helpers.appendEvent('tuf.updated', { timestampVersion: timestamp.version }, at));
    return { events };
  });

  return {
    async tufHead() {
      const versions = prepare('SELECT root, targets, snapshot, timestamp FROM tuf_head WHERE id = 1').get() as Record<
        (typeof TOP_LEVEL_ROLES)[number],
        number
      >;
      const newest = prepare(
        'SELECT role, version, sha256, length, expires, created_at, created_by FROM tuf_metadata t WHERE version = (SELECT MAX(version) FROM tuf_metadata WHERE role = t.role)',
      ).all() as TufRow[];
      return headOf(versions, newest.map(toTufMeta));
    },
    async getMetadata(role, version) {
      const row =
        version === undefined
          ? prepare('SELECT * FROM tuf_metadata WHERE role = ? ORDER BY version DESC LIMIT 1').get(role)
          : prepare('SELECT * FROM tuf_metadata WHERE role = ? AND version = ?').get(role, version);
      return row ? toTufRow(row as TufRow & { bytes: Buffer }) : undefined;
    },
    async commitMetadata(change) {
      return commit.immediate(change);
    },
    async releaseDocument(name, version) {
      return prepare('SELECT version, document, document_sha256 AS sha256 FROM releases WHERE name = ? AND version = ?').get(name, version) as
        | ReleaseDocument
        | undefined;
    },
    async releaseDocumentByHash(name, sha256) {
      return prepare('SELECT version, document, document_sha256 AS sha256 FROM releases WHERE name = ? AND document_sha256 = ? LIMIT 1').get(name, sha256) as
        | ReleaseDocument
        | undefined;
    },
  };
}

/** One metadata row as given (a restore keeps its times). */
export function insertTufRow(prepare: Prepare, row: TufMetadataRow): void {
  prepare('INSERT INTO tuf_metadata (role, version, bytes, sha256, length, expires, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    row.role,
    row.version,
    Buffer.from(row.bytes),
    row.sha256,
    row.length,
    row.expires,
    row.createdAt,
    row.createdBy,
  );
}
