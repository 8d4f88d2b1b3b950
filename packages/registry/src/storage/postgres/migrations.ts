import { ModmeshError } from '@modmesh/manifest';
import type pg from 'pg';
import { checkout, query } from './pool.js';

/**
 * The schema, one step per version, never edited once released: a change is a new step. Each
 * step runs in its own transaction with the row that records it, so a migration interrupted at
 * any point is either applied whole or not at all.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'releases, tags, audit log, events, keys, tokens, blobs',
    sql: `
CREATE TABLE releases (
  name text NOT NULL, version text NOT NULL,
  manifest text NOT NULL, -- the canonical JSON exactly as signed, never re-serialised
  signature text NOT NULL, published_at timestamptz NOT NULL, published_by text NOT NULL,
  PRIMARY KEY (name, version));
CREATE TABLE release_files (
  name text NOT NULL, version text NOT NULL, path text NOT NULL, size bigint NOT NULL, sha256 text NOT NULL,
  PRIMARY KEY (name, version, path), FOREIGN KEY (name, version) REFERENCES releases (name, version));
CREATE INDEX release_files_sha256 ON release_files (sha256);
CREATE TABLE tags (
  name text NOT NULL, tag text NOT NULL, version text NOT NULL, seq bigint NOT NULL, updated_at timestamptz NOT NULL,
  PRIMARY KEY (name, tag), FOREIGN KEY (name, version) REFERENCES releases (name, version));
CREATE TABLE tag_moves (
  id bigserial PRIMARY KEY, name text NOT NULL, tag text NOT NULL, from_version text, to_version text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('move', 'rollback')), actor text NOT NULL, reason text NOT NULL,
  at timestamptz NOT NULL, seq bigint NOT NULL);
CREATE INDEX tag_moves_tag ON tag_moves (name, tag, id);
-- One global sequence for every replica. Ids are taken under the registry's write lock, so
-- they increase in commit order and a reader never sees id n+1 before id n.
CREATE TABLE events (id bigserial PRIMARY KEY, type text NOT NULL, data json NOT NULL, at timestamptz NOT NULL);
CREATE TABLE publisher_keys (
  name text NOT NULL, key_id text NOT NULL, public_key text NOT NULL, label text NOT NULL,
  added_at timestamptz NOT NULL, added_by text NOT NULL, PRIMARY KEY (name, key_id));
CREATE TABLE tokens (
  id text PRIMARY KEY, hash text NOT NULL UNIQUE, role text NOT NULL CHECK (role IN ('publish', 'read')), remote text,
  label text NOT NULL, created_at timestamptz NOT NULL);
-- Release files, content-addressed: small and immutable, so they live with the metadata and
-- share its backups, replication and transactions.
CREATE TABLE blobs (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'), size integer NOT NULL, bytes bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
`,
  },
  {
    version: 2,
    name: 'consumers: which host runs which release, shared by replicas',
    sql: `
CREATE TABLE consumers (instance_id text PRIMARY KEY, report json NOT NULL, last_seen timestamptz NOT NULL);
CREATE INDEX consumers_last_seen ON consumers (last_seen);
`,
  },
  {
    version: 3,
    name: 'TUF metadata and head, release documents, signed tag moves, token expiry and revocation, audit log',
    sql: `
-- The exact bytes of each release's document (design 16 §1.3); filled in for older releases by the registry.
ALTER TABLE releases ADD COLUMN document text, ADD COLUMN document_sha256 text, ADD COLUMN signers json;
CREATE INDEX releases_document ON releases (name, document_sha256);
ALTER TABLE tag_moves ADD COLUMN role_version bigint, ADD COLUMN signers json;
ALTER TABLE tokens DROP CONSTRAINT tokens_role_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check CHECK (role IN ('publish', 'read', 'admin'));
ALTER TABLE tokens ADD COLUMN expires_at timestamptz, ADD COLUMN revoked_at timestamptz, ADD COLUMN revoked_by text, ADD COLUMN last_used_at timestamptz;
-- Every version of every TUF document, never rewritten.
CREATE TABLE tuf_metadata (
  role text NOT NULL, version bigint NOT NULL, bytes bytea NOT NULL, sha256 text NOT NULL, length integer NOT NULL,
  expires text NOT NULL, created_at timestamptz NOT NULL, created_by text NOT NULL, PRIMARY KEY (role, version));
-- The versions of the top-level roles; every change locks this row, so replicas never sign two snapshots of one version.
CREATE TABLE tuf_head (
  id integer PRIMARY KEY CHECK (id = 1), "root" bigint NOT NULL, "targets" bigint NOT NULL, "snapshot" bigint NOT NULL, "timestamp" bigint NOT NULL);
INSERT INTO tuf_head VALUES (1, 0, 0, 0, 0);
CREATE TABLE audit (
  id bigserial PRIMARY KEY, at timestamptz NOT NULL, token_id text NOT NULL, role text NOT NULL, action text NOT NULL,
  subject text NOT NULL, outcome text NOT NULL, address text NOT NULL);
CREATE INDEX audit_at ON audit (at, id);
`,
  },
];

/** The schema version this code runs on. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((migration) => migration.version));

/**
 * Applies every migration the database lacks, in order, and returns the versions applied.
 * Concurrent runs (two Jobs, or a Job and a replica started with --migrate) take turns on an
 * advisory lock; the second finds nothing left to do.
 */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const connection = await checkout(pool);
  const { client } = connection;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const current = await schemaVersionOn(client);
    if (current > SCHEMA_VERSION) throw tooNew(current);
    const applied: number[] = [];
    for (const migration of MIGRATIONS.filter((step) => step.version > current)) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      applied.push(migration.version);
    }
    return applied;
  } catch (error) {
    throw connection.failure(error);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    connection.release();
  }
}

/** Refuses to serve a database whose schema is not exactly the one this code knows. */
export async function checkSchema(pool: pg.Pool): Promise<void> {
  const exists = await query<{ found: string | null }>(pool, "SELECT to_regclass('schema_migrations')::text AS found");
  const current = exists.rows[0]?.found
    ? ((await query<{ version: number | null }>(pool, 'SELECT MAX(version) AS version FROM schema_migrations')).rows[0]?.version ?? 0)
    : 0;
  if (current > SCHEMA_VERSION) throw tooNew(current);
  if (current < SCHEMA_VERSION) {
    throw new ModmeshError('MODMESH_STORAGE_SCHEMA', `the database is at schema version ${current}; this registry needs ${SCHEMA_VERSION}`, {
      hint: 'Run `modmesh registry migrate --storage URL` (or start with --migrate), then start the registry again.',
    });
  }
}

// --- internal ---

// An arbitrary constant naming the migration lock among the database's advisory locks.
const MIGRATION_LOCK = 7_310_002;

async function schemaVersionOn(client: Pick<pg.ClientBase, 'query'>): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return rows[0]?.version ?? 0;
}

function tooNew(current: number): ModmeshError {
  return new ModmeshError('MODMESH_STORAGE_SCHEMA', `the database is at schema version ${current}, newer than this registry knows (${SCHEMA_VERSION})`, {
    hint: 'Run the registry version that migrated it (or newer); never run an older registry on a migrated database.',
  });
}
