import type pg from 'pg';
import type { MetadataStore } from '../types.js';
import { query } from './pool.js';
import { type AuditRow, TOKEN_INSERT, type TokenRow, toAudit, tokenValues, toToken } from './rows.js';

type TokenMethods = Pick<MetadataStore, 'addToken' | 'findToken' | 'listTokens' | 'revokeToken' | 'touchToken' | 'appendAudit' | 'auditLog'>;

/**
 * Tokens (expiry, revocation, last use) and the audit log of their uses, in PostgreSQL: every
 * replica reads the same rows, so a token revoked through one is refused by all at once.
 */
export function createPostgresTokens(pool: pg.Pool): TokenMethods {
  return {
    async addToken(token) {
      await query(pool, TOKEN_INSERT, tokenValues(token));
    },
    async findToken(hash) {
      const { rows } = await query<TokenRow>(pool, 'SELECT * FROM tokens WHERE hash = $1', [hash]);
      return rows[0] && toToken(rows[0]);
    },
    async listTokens() {
      return (await query<TokenRow>(pool, 'SELECT * FROM tokens ORDER BY created_at, id')).rows.map(toToken);
    },
    async revokeToken(id, by, at) {
      await query(pool, 'UPDATE tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL', [at, by, id]);
      const { rows } = await query<TokenRow>(pool, 'SELECT * FROM tokens WHERE id = $1', [id]);
      return rows[0] && toToken(rows[0]);
    },
    async touchToken(id, at, minIntervalMs) {
      await query(
        pool,
        "UPDATE tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $1::timestamptz - $3 * interval '1 millisecond')",
        [at, id, minIntervalMs],
      );
    },
    async appendAudit(entry) {
      const { rows } = await query<{ id: string }>(
        pool,
        'INSERT INTO audit (at, token_id, role, action, subject, outcome, address) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
        [entry.at, entry.tokenId, entry.role, entry.action, entry.subject, entry.outcome, entry.address],
      );
      return { id: Number(rows[0]?.id), ...entry };
    },
    async auditLog({ since, limit }) {
      const { rows } = since
        ? await query<AuditRow>(pool, 'SELECT * FROM audit WHERE at >= $1 ORDER BY id LIMIT $2', [since, limit])
        : await query<AuditRow>(pool, 'SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT $1) AS newest ORDER BY id', [limit]);
      return rows.map(toAudit);
    },
  };
}
