import { ModmeshError } from '@modmesh/manifest';
import type pg from 'pg';
import { documentOf, headOf, metaConflict, TOP_LEVEL_ROLES } from '../documents.js';
import type { MetadataStore, RegistryEvent, ReleaseDocument } from '../types.js';
import { query, transaction } from './pool.js';
import { insertReleaseRows, insertTufRow, type TufRow, toTufMeta, toTufRow } from './rows.js';
import { appendEvent, notify, WRITE_LOCK } from './writes.js';

type TufMethods = Pick<MetadataStore, 'tufHead' | 'getMetadata' | 'commitMetadata' | 'releaseDocument' | 'releaseDocumentByHash'>;

const HEAD_COLUMNS = '"root", "targets", "snapshot", "timestamp"';

/**
 * TUF metadata in PostgreSQL: immutable rows by (role, version), and the head row that every
 * change locks (besides the write lock that orders events), so two replicas never sign two
 * snapshots of one version: the second finds the head moved and rebuilds on it.
 */
export function createPostgresTuf(pool: pg.Pool): TufMethods {
  return {
    async tufHead() {
      const [versions, newest] = await Promise.all([
        query<Record<string, string>>(pool, `SELECT ${HEAD_COLUMNS} FROM tuf_head WHERE id = 1`),
        query<TufRow>(
          pool,
          'SELECT DISTINCT ON (role) role, version, sha256, length, expires, created_at, created_by FROM tuf_metadata ORDER BY role, version DESC',
        ),
      ]);
      const row = versions.rows[0] ?? {};
      const head = Object.fromEntries(TOP_LEVEL_ROLES.map((role) => [role, Number(row[role] ?? 0)])) as Record<(typeof TOP_LEVEL_ROLES)[number], number>;
      return headOf(head, newest.rows.map(toTufMeta));
    },
    async getMetadata(role, version) {
      const { rows } =
        version === undefined
          ? await query<TufRow & { bytes: Buffer }>(pool, 'SELECT * FROM tuf_metadata WHERE role = $1 ORDER BY version DESC LIMIT 1', [role])
          : await query<TufRow & { bytes: Buffer }>(pool, 'SELECT * FROM tuf_metadata WHERE role = $1 AND version = $2', [role, version]);
      return rows[0] && toTufRow(rows[0]);
    },
    commitMetadata: (change) =>
      transaction(pool, async function commitMetadataTransaction(client): Promise<{ events: RegistryEvent[] } | { stale: true }> {
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        const head = (await client.query<Record<string, string>>(`SELECT ${HEAD_COLUMNS} FROM tuf_head WHERE id = 1 FOR UPDATE`)).rows[0] ?? {};
        if (Number(head.snapshot) !== change.expect.snapshot || Number(head.timestamp) !== change.expect.timestamp) return { stale: true };
        for (const row of change.rows) {
          const current = Number(
            (await client.query<{ version: string }>('SELECT COALESCE(MAX(version), 0) AS version FROM tuf_metadata WHERE role = $1', [row.role])).rows[0]
              ?.version,
          );
          if (row.version <= current) throw metaConflict(row.role, row.version, current);
          await insertTufRow(client, row);
          if ((TOP_LEVEL_ROLES as readonly string[]).includes(row.role))
            await client.query(`UPDATE tuf_head SET "${row.role}" = $1 WHERE id = 1`, [row.version]);
        }
        const at = change.rows[0]?.createdAt ?? new Date().toISOString();
        const events: RegistryEvent[] = [];
        if (change.release) {
          const { name, version } = change.release;
          if ((await client.query('SELECT 1 FROM releases WHERE name = $1 AND version = $2', [name, version])).rowCount) {
            throw new ModmeshError('MODMESH_VERSION_EXISTS', `${name}@${version} is already published; releases are immutable`, { remote: name, version });
          }
          await insertReleaseRows(client, change.release);
          events.push(await appendEvent(client, 'release.published', { name, version, publishedBy: change.release.publishedBy }, change.release.publishedAt));
        }
        for (const move of change.tagMoves ?? []) {
          await client.query(
            'INSERT INTO tags (name, tag, version, seq, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, tag) DO UPDATE SET version = excluded.version, seq = excluded.seq, updated_at = excluded.updated_at',
            [move.name, move.tag, move.to, move.seq, move.at],
          );
          await client.query(
            'INSERT INTO tag_moves (name, tag, from_version, to_version, kind, actor, reason, at, seq, role_version, signers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
            [move.name, move.tag, move.from, move.to, move.kind, move.actor, move.reason, move.at, move.seq, move.roleVersion, JSON.stringify(move.signers)],
          );
          events.push(await appendEvent(client, 'tag.moved', move, move.at));
        }
        const timestamp = change.rows.find((row) => row.role === 'timestamp');
        if (timestamp) events.push(await appendEvent(client, 'tuf.updated', { timestampVersion: timestamp.version }, at));
        if (events.length > 0) await notify(client, events);
        return { events };
      }),
    async releaseDocument(name, version) {
      const { rows } = await query<ReleaseDocument>(
        pool,
        'SELECT version, document, document_sha256 AS sha256 FROM releases WHERE name = $1 AND version = $2',
        [name, version],
      );
      return rows[0];
    },
    async releaseDocumentByHash(name, sha256) {
      const { rows } = await query<ReleaseDocument>(
        pool,
        'SELECT version, document, document_sha256 AS sha256 FROM releases WHERE name = $1 AND document_sha256 = $2 LIMIT 1',
        [name, sha256],
      );
      return rows[0];
    },
  };
}

/**
 * Releases published before migration 3 get their document once, derived as they were
 * published. Idempotent, so replicas starting together may all run it.
 */
export async function backfillDocuments(pool: pg.Pool): Promise<void> {
  const { rows } = await query<{ name: string; version: string; manifest: string; signature: string }>(
    pool,
    'SELECT name, version, manifest, signature FROM releases WHERE document IS NULL',
  );
  for (const row of rows) {
    const { document, sha256 } = documentOf({ version: row.version, manifest: row.manifest, signature: JSON.parse(row.signature) });
    await query(pool, 'UPDATE releases SET document = $1, document_sha256 = $2 WHERE name = $3 AND version = $4 AND document IS NULL', [
      document,
      sha256,
      row.name,
      row.version,
    ]);
  }
}
