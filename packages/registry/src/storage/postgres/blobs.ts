import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ModmeshError } from '@modmesh/manifest';
import type pg from 'pg';
import type { BlobStore } from '../types.js';
import { query } from './pool.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
// Hashes listed per query.
const LIST_PAGE = 1000;

/**
 * Release files in PostgreSQL (`blobs`, bytea). A blob is inserted only complete and matching
 * its hash, in one statement, so it is either there whole or not at all; bytes are hashed as
 * they arrive and held in memory up to `maxBytes` (release files are small: 32 MiB at most).
 */
export function createPostgresBlobStore(pool: pg.Pool): BlobStore {
  const size = async (sha256: string): Promise<number | undefined> => {
    checkHash(sha256);
    return (await query<{ size: number }>(pool, 'SELECT size FROM blobs WHERE sha256 = $1', [sha256])).rows[0]?.size;
  };
  return {
    async has(sha256) {
      return (await size(sha256)) !== undefined;
    },
    size,
    async put(sha256, body, { maxBytes }) {
      checkHash(sha256);
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of Buffer.isBuffer(body) ? [body] : body) {
        received += (chunk as Buffer).length;
        if (received > maxBytes) {
          if (!Buffer.isBuffer(body)) body.destroy();
          throw new ModmeshError('MODMESH_BODY_TOO_LARGE', `blob ${sha256}: over the ${maxBytes}-byte limit`, { file: sha256 });
        }
        hash.update(chunk as Buffer);
        chunks.push(chunk as Buffer);
      }
      const actual = hash.digest('hex');
      if (actual !== sha256) throw new ModmeshError('MODMESH_HASH_MISMATCH', `blob uploaded as ${sha256} has SHA-256 ${actual}`, { file: sha256 });
      const { rowCount } = await query(pool, 'INSERT INTO blobs (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [
        sha256,
        received,
        Buffer.concat(chunks),
      ]);
      return { size: received, created: rowCount === 1 };
    },
    async open(sha256) {
      checkHash(sha256);
      const row = (await query<{ bytes: Buffer }>(pool, 'SELECT bytes FROM blobs WHERE sha256 = $1', [sha256])).rows[0];
      return row && Readable.from([row.bytes]);
    },
    async *list() {
      let after = '';
      for (;;) {
        const { rows } = await query<{ sha256: string }>(pool, 'SELECT sha256 FROM blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT $2', [after, LIST_PAGE]);
        for (const row of rows) yield row.sha256;
        const last = rows.at(-1);
        if (!last || rows.length < LIST_PAGE) return;
        after = last.sha256;
      }
    },
  };
}

// --- internal ---

function checkHash(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new ModmeshError('MODMESH_BAD_REQUEST', `"${sha256.slice(0, 80)}" is not a SHA-256 (64 lowercase hex digits)`);
}
