import type Database from 'better-sqlite3';
import { type AuditRow, type TokenRow, toAudit, toToken } from './sqlite-rows.js';
import type { MetadataStore, TokenRecord } from './types.js';

type Prepare = (sql: string) => Database.Statement;
type TokenMethods = Pick<MetadataStore, 'addToken' | 'findToken' | 'listTokens' | 'revokeToken' | 'touchToken' | 'appendAudit' | 'auditLog'>;

/** Tokens (expiry, revocation, last use) and the audit log of their uses, in SQLite. */
export function createSqliteTokens(prepare: Prepare): TokenMethods {
  return {
    async addToken(token) {
      insertToken(prepare, token);
    },
    async findToken(hash) {
      const row = prepare('SELECT * FROM tokens WHERE hash = ?').get(hash) as TokenRow | undefined;
      return row && toToken(row);
    },
    async listTokens() {
      return (prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as TokenRow[]).map(toToken);
    },
    async revokeToken(id, by, at) {
      prepare('UPDATE tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(at, by, id);
      const row = prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
      return row && toToken(row);
    },
    async touchToken(id, at, minIntervalMs) {
      const before = new Date(Date.parse(at) - minIntervalMs).toISOString();
      prepare('UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)').run(at, id, before);
    },
    async appendAudit(entry) {
      const { lastInsertRowid } = prepare('INSERT INTO audit (at, token_id, role, action, subject, outcome, address) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        entry.at,
        entry.tokenId,
        entry.role,
        entry.action,
        entry.subject,
        entry.outcome,
        entry.address,
      );
      return { id: Number(lastInsertRowid), ...entry };
    },
    async auditLog({ since, limit }) {
      const rows = since
        ? prepare('SELECT * FROM audit WHERE at >= ? ORDER BY id LIMIT ?').all(since, limit)
        : prepare('SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit);
      return (rows as AuditRow[]).map(toAudit);
    },
  };
}

/** A token's row as given (a restore keeps its id, times and state). */
export function insertToken(prepare: Prepare, token: TokenRecord): void {
  prepare(
    'INSERT INTO tokens (id, hash, role, remote, label, created_at, expires_at, revoked_at, revoked_by, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    token.id,
    token.hash,
    token.role,
    token.remote,
    token.label,
    token.createdAt,
    token.expiresAt ?? null,
    token.revokedAt ?? null,
    token.revokedBy ?? null,
    token.lastUsedAt ?? null,
  );
}
