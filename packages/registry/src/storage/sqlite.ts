import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import Database from 'better-sqlite3';
import semver from 'semver';
import { restoreSqlite, sqliteDump } from './sqlite-dump.js';
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
`;

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
    const { lastInsertRowid } = db
      .prepare('INSERT INTO tag_moves (name, tag, from_version, to_version, kind, actor, reason, at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(fields.name, fields.tag, fields.from, fields.to, fields.kind, fields.actor, fields.reason, at, seq);
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
    async addToken(token) {
      prepare('INSERT INTO tokens (id, hash, role, remote, label, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        token.id,
        token.hash,
        token.role,
        token.remote,
        token.label,
        token.createdAt,
      );
    },
    async findToken(hash) {
      const row = prepare('SELECT * FROM tokens WHERE hash = ?').get(hash) as TokenRow | undefined;
      return row && toToken(row);
    },
    async close() {
      db.close();
    },
  };
}
