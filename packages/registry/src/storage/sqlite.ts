import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import Database from 'better-sqlite3';
import semver from 'semver';
import { documentOf } from './documents.js';
import { restoreSqlite, sqliteDump } from './sqlite-dump.js';
import {
  type EventRow,
  insertReleaseRow,
  type KeyRow,
  type ReleaseRow,
  type TagMoveRow,
  type TagRow,
  toEvent,
  toKey,
  toMove,
  toRelease,
  toTag,
} from './sqlite-rows.js';
import { createSqliteTokens } from './sqlite-tokens.js';
import { createSqliteTuf } from './sqlite-tuf.js';
import type { MetadataStore, NewRelease, RegistryEvent, ReleaseFile, RemoteSummary, TagMove, TagMoveRequest } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS releases (
  name TEXT NOT NULL, version TEXT NOT NULL, manifest TEXT NOT NULL, signature TEXT NOT NULL,
  published_at TEXT NOT NULL, published_by TEXT NOT NULL, PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS release_files (
  name TEXT NOT NULL, version TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
  PRIMARY KEY (name, version, path), FOREIGN KEY (name, version) REFERENCES releases (name, version));
CREATE INDEX IF NOT EXISTS release_files_sha256 ON release_files (sha256);
CREATE TABLE IF NOT EXISTS tags (
  name TEXT NOT NULL, tag TEXT NOT NULL, version TEXT NOT NULL, seq INTEGER NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (name, tag), FOREIGN KEY (name, version) REFERENCES releases (name, version));
CREATE TABLE IF NOT EXISTS tag_moves (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, tag TEXT NOT NULL, from_version TEXT, to_version TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('move', 'rollback')), actor TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tag_moves_tag ON tag_moves (name, tag, id);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, data TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS publisher_keys (
  name TEXT NOT NULL, key_id TEXT NOT NULL, public_key TEXT NOT NULL, label TEXT NOT NULL, added_at TEXT NOT NULL, added_by TEXT NOT NULL,
  PRIMARY KEY (name, key_id));
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, remote TEXT, label TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tuf_metadata (
  role TEXT NOT NULL, version INTEGER NOT NULL, bytes BLOB NOT NULL, sha256 TEXT NOT NULL, length INTEGER NOT NULL, expires TEXT NOT NULL,
  created_at TEXT NOT NULL, created_by TEXT NOT NULL, PRIMARY KEY (role, version));
CREATE TABLE IF NOT EXISTS tuf_head (
  id INTEGER PRIMARY KEY CHECK (id = 1), root INTEGER NOT NULL, targets INTEGER NOT NULL, snapshot INTEGER NOT NULL, timestamp INTEGER NOT NULL);
INSERT OR IGNORE INTO tuf_head (id, root, targets, snapshot, timestamp) VALUES (1, 0, 0, 0, 0);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, token_id TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
  subject TEXT NOT NULL, outcome TEXT NOT NULL, address TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at, id);
`;

// Columns added since the first schema: added to an older file when it is opened.
const ADDED_COLUMNS: Record<string, string[]> = {
  releases: ['document TEXT', 'document_sha256 TEXT', 'signers TEXT'],
  tag_moves: ['role_version INTEGER', 'signers TEXT'],
  tokens: ['expires_at TEXT', 'revoked_at TEXT', 'revoked_by TEXT', 'last_used_at TEXT'],
};

/**
 * Registry metadata in one SQLite file (WAL, synchronous=FULL): a committed publish or tag move
 * survives a crash or a power cut, an uncommitted one leaves no trace.
 */
export function createSqliteMetadataStore(file: string): MetadataStore {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  addMissingColumns(db);
  db.exec('CREATE INDEX IF NOT EXISTS releases_document ON releases (name, document_sha256)');

  // Compiling a statement costs more than running it; every statement is compiled once.
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  const appendEvent = (type: RegistryEvent['type'], data: RegistryEvent['data'], at: string): RegistryEvent => {
    const { lastInsertRowid } = prepare('INSERT INTO events (type, data, at) VALUES (?, ?, ?)').run(type, JSON.stringify(data), at);
    return { id: Number(lastInsertRowid), type, data, at } as RegistryEvent;
  };

  const moveTagInTransaction = (request: TagMoveRequest, at: string): { move: TagMove; event: RegistryEvent } => {
    const current = prepare('SELECT version, seq FROM tags WHERE name = ? AND tag = ?').get(request.name, request.tag) as
      | { version: string; seq: number }
      | undefined;
    if ((current?.version ?? null) !== request.expect) {
      throw new ModmeshError(
        'MODMESH_TAG_CONFLICT',
        `${request.name}@${request.tag} points at ${current?.version ?? 'nothing'}, not ${request.expect ?? 'nothing'} as the move expected`,
        { remote: request.name, version: request.to },
      );
    }
    const exists = prepare('SELECT 1 FROM releases WHERE name = ? AND version = ?').get(request.name, request.to);
    if (!exists) throw new ModmeshError('MODMESH_NOT_FOUND', `${request.name}@${request.to} is not published`, { remote: request.name, version: request.to });
    const seq = (current?.seq ?? 0) + 1;
    prepare(
      'INSERT INTO tags (name, tag, version, seq, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, tag) DO UPDATE SET version = excluded.version, seq = excluded.seq, updated_at = excluded.updated_at',
    ).run(request.name, request.tag, request.to, seq, at);
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
    const { lastInsertRowid } = prepare(
      'INSERT INTO tag_moves (name, tag, from_version, to_version, kind, actor, reason, at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(fields.name, fields.tag, fields.from, fields.to, fields.kind, fields.actor, fields.reason, at, seq);
    return { move: { id: Number(lastInsertRowid), ...fields }, event: appendEvent('tag.moved', fields, at) };
  };

  const insertRelease = db.transaction((release: NewRelease): RegistryEvent[] => {
    const existing = prepare('SELECT 1 FROM releases WHERE name = ? AND version = ?').get(release.name, release.version);
    if (existing) {
      throw new ModmeshError('MODMESH_VERSION_EXISTS', `${release.name}@${release.version} is already published; releases are immutable`, {
        remote: release.name,
        version: release.version,
      });
    }
    insertReleaseRow(prepare, release);
    const events = [appendEvent('release.published', { name: release.name, version: release.version, publishedBy: release.publishedBy }, release.publishedAt)];
    if (release.tag) {
      const current = prepare('SELECT version FROM tags WHERE name = ? AND tag = ?').get(release.name, release.tag.name) as { version: string } | undefined;
      const { event } = moveTagInTransaction(
        {
          name: release.name,
          tag: release.tag.name,
          to: release.version,
          expect: current?.version ?? null,
          kind: 'move',
          actor: release.publishedBy,
          reason: release.tag.reason,
        },
        release.publishedAt,
      );
      events.push(event);
    }
    return events;
  });

  const tuf = createSqliteTuf(db, prepare, { appendEvent, insertReleaseRow: (release) => insertReleaseRow(prepare, release) });
  const tokens = createSqliteTokens(prepare);

  const moveTag = db.transaction((request: TagMoveRequest) => moveTagInTransaction(request, new Date().toISOString()));

  return {
    async insertRelease(release) {
      return insertRelease.immediate(release);
    },
    async getRelease(name, version) {
      const row = prepare('SELECT * FROM releases WHERE name = ? AND version = ?').get(name, version) as ReleaseRow | undefined;
      return row && toRelease(row);
    },
    async releaseFiles(name, version) {
      return prepare('SELECT path, size, sha256 FROM release_files WHERE name = ? AND version = ? ORDER BY path').all(name, version) as ReleaseFile[];
    },
    async pathOfBlob(sha256) {
      return (prepare('SELECT path FROM release_files WHERE sha256 = ? LIMIT 1').get(sha256) as { path: string } | undefined)?.path;
    },
    async listRemotes() {
      const names = db
        .prepare('SELECT name FROM releases UNION SELECT name FROM publisher_keys ORDER BY name')
        .all()
        .map((row) => (row as { name: string }).name);
      return names.map((name): RemoteSummary => {
        const versions = prepare('SELECT version FROM releases WHERE name = ?').all(name) as { version: string }[];
        const tags = prepare('SELECT tag, version FROM tags WHERE name = ? ORDER BY tag').all(name) as { tag: string; version: string }[];
        const latest = semver.rsort(versions.map((row) => row.version))[0] ?? null;
        return { name, releases: versions.length, latest, tags: Object.fromEntries(tags.map((row) => [row.tag, row.version])) };
      });
    },
    async listVersions(name) {
      return (
        prepare('SELECT version, published_at FROM releases WHERE name = ? ORDER BY published_at, version').all(name) as {
          version: string;
          published_at: string;
        }[]
      ).map((row) => ({ version: row.version, publishedAt: row.published_at }));
    },
    async getTags(name) {
      return (prepare('SELECT * FROM tags WHERE name = ? ORDER BY tag').all(name) as TagRow[]).map(toTag);
    },
    async moveTag(request) {
      return moveTag.immediate(request);
    },
    async tagHistory(name, tag, limit = 1000) {
      const rows = tag
        ? prepare('SELECT * FROM tag_moves WHERE name = ? AND tag = ? ORDER BY id DESC LIMIT ?').all(name, tag, limit)
        : prepare('SELECT * FROM tag_moves WHERE name = ? ORDER BY id DESC LIMIT ?').all(name, limit);
      return (rows as TagMoveRow[]).map(toMove);
    },
    async eventsAfter(id, limit) {
      return (prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(id, limit) as EventRow[]).map(toEvent);
    },
    async latestEventId() {
      return (prepare('SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as { id: number }).id;
    },
    // One process owns the file: every event it commits goes through its own hub already.
    async watchEvents() {
      return async function stopWatching() {};
    },
    dump: () => sqliteDump(db, prepare),
    async restore(records, options) {
      return restoreSqlite(db, prepare, records, options?.dryRun ?? false);
    },
    async addPublisherKey(key) {
      // Registering a known key again keeps when and by whom it was first added, and takes the new label.
      prepare(
        'INSERT INTO publisher_keys (name, key_id, public_key, label, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name, key_id) DO UPDATE SET label = excluded.label',
      ).run(key.name, key.keyId, key.publicKey, key.label, key.addedAt, key.addedBy);
    },
    async publisherKeys(name) {
      return (prepare('SELECT * FROM publisher_keys WHERE name = ? ORDER BY added_at').all(name) as KeyRow[]).map(toKey);
    },
    async removePublisherKey(name, keyId) {
      return prepare('DELETE FROM publisher_keys WHERE name = ? AND key_id = ?').run(name, keyId).changes > 0;
    },
    ...tokens,
    ...tuf,
    async close() {
      db.close();
    },
  };
}

// --- internal ---

function addMissingColumns(db: Database.Database): void {
  for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
    const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((column) => column.name));
    for (const column of columns) if (!have.has(column.split(' ')[0] as string)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
  }
  // Releases published before documents were kept get theirs once, derived as they were published.
  const missing = db.prepare('SELECT name, version, manifest, signature FROM releases WHERE document IS NULL').all() as {
    name: string;
    version: string;
    manifest: string;
    signature: string;
  }[];
  const update = db.prepare('UPDATE releases SET document = ?, document_sha256 = ? WHERE name = ? AND version = ?');
  db.transaction(() => {
    for (const row of missing) {
      const { document, sha256 } = documentOf({ version: row.version, manifest: row.manifest, signature: JSON.parse(row.signature) });
      update.run(document, sha256, row.name, row.version);
    }
  })();
}
