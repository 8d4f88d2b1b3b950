import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ModmeshError } from '@modmesh/manifest';
import type { MetadataStore, TokenRecord } from './storage/types.js';

/** Who a request is, from its bearer token. */
export type Principal =
  | { kind: 'admin'; id: 'admin' }
  | { kind: 'publish'; id: string; remote: string }
  | { kind: 'read'; id: string }
  | { kind: 'anonymous'; id: 'anonymous' };

export interface Authenticator {
  identify(authorization: string | undefined): Promise<Principal>;
  /** Throws MODMESH_AUTH_REQUIRED / MODMESH_FORBIDDEN unless the principal may change `remote`. */
  requireWrite(principal: Principal, remote: string): void;
  requireAdmin(principal: Principal): void;
  /** Throws MODMESH_AUTH_REQUIRED for anonymous reads when reads need a token. */
  requireRead(principal: Principal): void;
  /** A new token; only its hash is kept. */
  createToken(role: TokenRecord['role'], remote: string | null, label: string): Promise<{ token: string; id: string }>;
}

const TOKEN_PREFIX = { publish: 'mmp_', read: 'mmr_' } as const;

export function createAuthenticator(options: { metadata: MetadataStore; adminToken: string; requireReadToken: boolean }): Authenticator {
  const adminHash = hashToken(options.adminToken);

  return {
    async identify(authorization) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
      if (!token) return { kind: 'anonymous', id: 'anonymous' };
      const hash = hashToken(token);
      if (timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(adminHash, 'hex'))) return { kind: 'admin', id: 'admin' };
      const record = await options.metadata.findToken(hash);
      if (!record) throw new ModmeshError('MODMESH_AUTH_REQUIRED', 'the token is not known to this registry');
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
    async createToken(role, remote, label) {
      const token = TOKEN_PREFIX[role] + randomBytes(24).toString('base64url');
      const id = randomUUID();
      await options.metadata.addToken({ id, hash: hashToken(token), role, remote, label, createdAt: new Date().toISOString() });
      return { token, id };
    },
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new admin token. */
export function generateAdminToken(): string {
  return `mma_${randomBytes(24).toString('base64url')}`;
}
