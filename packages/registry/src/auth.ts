import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ModmeshError } from '@modmesh/manifest';
import type { MetadataStore, TokenRecord } from './storage/types.js';

/** Who a request is, from its bearer token. `id` is the token's id (`admin` for the bootstrap admin token). */
export type Principal =
  | { kind: 'admin'; id: string }
  | { kind: 'publish'; id: string; remote: string }
  | { kind: 'read'; id: string }
  | { kind: 'anonymous'; id: 'anonymous' };

export interface Authenticator {
  /** Throws MODMESH_AUTH_REQUIRED for an unknown token, MODMESH_TOKEN_REVOKED / _EXPIRED for a known one that may no longer be used. */
  identify(authorization: string | undefined): Promise<Principal>;
  /** Throws MODMESH_AUTH_REQUIRED / MODMESH_FORBIDDEN unless the principal may change `remote`. */
  requireWrite(principal: Principal, remote: string): void;
  requireAdmin(principal: Principal): void;
  /** Throws MODMESH_AUTH_REQUIRED for anonymous reads when reads need a token. */
  requireRead(principal: Principal): void;
  /** A new token; only its hash is kept. `expiresInDays` defaults by role (TOKEN_LIFETIME_DAYS). */
  createToken(
    role: TokenRecord['role'],
    remote: string | null,
    label: string,
    expiresInDays?: number,
  ): Promise<{ token: string; id: string; expiresAt: string }>;
}

/** How long a token lives unless asked otherwise, by role (design 16 §4.4). */
export const TOKEN_LIFETIME_DAYS = {
  publish: 90,
  admin: 30,
  read: 365,
} as const;
/** The longest a token may be made to live. */
export const TOKEN_MAX_LIFETIME_DAYS = 365;
/**
 * A token's last use is written at most this often: every request would be a database write (the
 * audit log has every use of a publish or admin token anyway).
 */
const TOUCH_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;

const TOKEN_PREFIX = { publish: 'mmp_', read: 'mmr_', admin: 'mma_' } as const;

export function createAuthenticator(options: { metadata: MetadataStore; adminToken: string; requireReadToken: boolean }): Authenticator {
  const adminHash = hashToken(options.adminToken);
  const { metadata } = options;
  // When this process last wrote a read token's use: most requests then skip the write entirely.
  const touched = new Map<string, number>();

  return {
    async identify(authorization) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
      if (!token) return { kind: 'anonymous', id: 'anonymous' };
      const hash = hashToken(token);
      if (timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(adminHash, 'hex'))) return { kind: 'admin', id: 'admin' };
      // Read on every request, never cached: a token revoked through any replica is refused by all at once.
      const record = await metadata.findToken(hash);
      if (!record) throw new ModmeshError('MODMESH_AUTH_REQUIRED', 'the token is not known to this registry');
      const now = Date.now();
      if (record.revokedAt) {
        throw refused(
          new ModmeshError('MODMESH_TOKEN_REVOKED', `token ${record.id} (${record.label || record.role}) was revoked at ${record.revokedAt}`),
          record,
        );
      }
      if (record.expiresAt && Date.parse(record.expiresAt) <= now) {
        throw refused(new ModmeshError('MODMESH_TOKEN_EXPIRED', `token ${record.id} (${record.label || record.role}) expired at ${record.expiresAt}`), record);
      }
      if (now - (touched.get(record.id) ?? 0) >= TOUCH_INTERVAL_MS) {
        touched.set(record.id, now);
        if (touched.size > 10_000) touched.clear();
        await metadata.touchToken(record.id, new Date(now).toISOString(), TOUCH_INTERVAL_MS);
      }
      if (record.role === 'admin') return { kind: 'admin', id: record.id };
      return record.role === 'publish' && record.remote ? { kind: 'publish', id: record.id, remote: record.remote } : { kind: 'read', id: record.id };
    },
    requireWrite(principal, remote) {
      if (principal.kind === 'admin') return;
      if (principal.kind === 'anonymous') throw new ModmeshError('MODMESH_AUTH_REQUIRED', `changing ${remote} needs a token`, { remote });
      if (principal.kind !== 'publish' || principal.remote !== remote) {
        throw new ModmeshError(
          'MODMESH_FORBIDDEN',
          `this token may not change ${remote}${principal.kind === 'publish' ? ` (it is scoped to ${principal.remote})` : ''}`,
          {
            remote,
          },
        );
      }
    },
    requireAdmin(principal) {
      if (principal.kind === 'admin') return;
      if (principal.kind === 'anonymous') throw new ModmeshError('MODMESH_AUTH_REQUIRED', 'this needs the admin token');
      throw new ModmeshError('MODMESH_FORBIDDEN', 'this needs the admin token', { hint: 'Use the admin token from the registry data dir (admin-token).' });
    },
    requireRead(principal) {
      if (options.requireReadToken && principal.kind === 'anonymous') {
        throw new ModmeshError('MODMESH_AUTH_REQUIRED', 'this registry requires a token for reads');
      }
    },
    async createToken(role, remote, label, expiresInDays = TOKEN_LIFETIME_DAYS[role]) {
      if (!Number.isSafeInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > TOKEN_MAX_LIFETIME_DAYS) {
        throw new ModmeshError('MODMESH_BAD_REQUEST', `a token lives from 1 to ${TOKEN_MAX_LIFETIME_DAYS} days, not ${expiresInDays}`);
      }
      const token = TOKEN_PREFIX[role] + randomBytes(24).toString('base64url');
      const id = randomUUID();
      const createdAt = new Date();
      const expiresAt = new Date(createdAt.getTime() + expiresInDays * DAY_MS).toISOString();
      await metadata.addToken({ id, hash: hashToken(token), role, remote, label, createdAt: createdAt.toISOString(), expiresAt });
      return { token, id, expiresAt };
    },
  };
}

/** The token a refusal (revoked, expired) was about, for the audit log. */
export function refusedTokenOf(error: unknown): Pick<TokenRecord, 'id' | 'role'> | undefined {
  return error !== null && typeof error === 'object' ? refusals.get(error) : undefined;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new admin token. */
export function generateAdminToken(): string {
  return `mma_${randomBytes(24).toString('base64url')}`;
}

// --- internal ---

const refusals = new WeakMap<object, Pick<TokenRecord, 'id' | 'role'>>();

function refused(error: ModmeshError, record: TokenRecord): ModmeshError {
  refusals.set(error, { id: record.id, role: record.role });
  return error;
}
