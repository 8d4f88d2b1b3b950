import type { TokenRole } from '@modmesh/api';
import { ModmeshError } from '@modmesh/manifest';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import type { MetadataStore, TokenRecord } from '../storage/types.js';
import { checkName, jsonObject, optionalString } from '../validate.js';
import type { Answers } from './answers.js';

export interface TokenRoutesOptions {
  metadata: MetadataStore;
  auth: Authenticator;
}

const MAX_LABEL_LENGTH = 200;
const ROLES: ReadonlySet<string> = new Set<TokenRole>(['publish', 'read', 'admin']);
// The audit log is read oldest first, this many entries unless asked (`?limit=`), never more than the most.
const DEFAULT_AUDIT = 100;
const MAX_AUDIT = 1000;

/**
 * The registry's tokens (design 16 §4.4), with the admin token: `POST /v1/tokens` (a publish
 * token for one remote, a read token, or a named admin token, each with an expiry),
 * `GET /v1/tokens` (never the hashes), `DELETE /v1/tokens/:id` (revoke: refused at once on
 * every replica; a token may revoke itself), and `GET /v1/audit` (every use of a publish or admin token).
 */
export async function tokenRoutes(app: FastifyInstance, options: TokenRoutesOptions): Promise<void> {
  const { metadata, auth } = options;

  app.post<Answers<'POST /v1/tokens'>>('/v1/tokens', async function createToken(request, reply) {
    auth.requireAdmin(request.principal);
    const body = jsonObject(request.body);
    const role = body.role ?? 'publish';
    if (!isTokenRole(role)) throw new ModmeshError('MODMESH_BAD_REQUEST', '"role" must be "publish", "read" or "admin"');
    const remote = role === 'publish' ? checkName(body.remote) : null;
    const label = optionalString(body, 'label', MAX_LABEL_LENGTH) ?? '';
    const days = body.expiresInDays;
    if (days !== undefined && typeof days !== 'number') throw new ModmeshError('MODMESH_BAD_REQUEST', '"expiresInDays" must be a number of days');
    const { token, id, expiresAt } = await auth.createToken(role, remote, label, days);
    return reply.status(201).send({ token, id, role, remote, expiresAt });
  });

  app.get<Answers<'GET /v1/tokens'>>('/v1/tokens', async function listTokens(request) {
    auth.requireAdmin(request.principal);
    return { tokens: (await metadata.listTokens()).map(publicFields) };
  });

  app.delete<Answers<'DELETE /v1/tokens/:id'> & { Params: { id: string } }>('/v1/tokens/:id', async function revokeToken(request) {
    const { id } = request.params;
    // Whoever holds a token may revoke it (a leaked CI token, by CI itself); anything else is the admin's.
    if (request.principal.id !== id) auth.requireAdmin(request.principal);
    const revoked = await metadata.revokeToken(id, request.principal.id, new Date().toISOString());
    if (!revoked) throw new ModmeshError('MODMESH_NOT_FOUND', `there is no token ${id.slice(0, 64)}`, { hint: '`modmesh token ls` lists them.' });
    return publicFields(revoked);
  });

  app.get<Answers<'GET /v1/audit'> & { Querystring: { since?: string; limit?: string } }>('/v1/audit', async function auditLog(request) {
    auth.requireAdmin(request.principal);
    const { since } = request.query;
    if (since !== undefined && !Number.isFinite(Date.parse(since))) {
      throw new ModmeshError('MODMESH_BAD_REQUEST', `?since=${since.slice(0, 40)} is not a time (ISO 8601, e.g. 2026-12-01T00:00:00Z)`);
    }
    const limit = Number(request.query.limit ?? DEFAULT_AUDIT);
    const entries = await metadata.auditLog({
      ...(since && { since: new Date(since).toISOString() }),
      limit: Number.isSafeInteger(limit) && limit > 0 ? Math.min(limit, MAX_AUDIT) : DEFAULT_AUDIT,
    });
    return { entries };
  });
}

// --- internal ---

function isTokenRole(role: unknown): role is TokenRole {
  return typeof role === 'string' && ROLES.has(role);
}

function publicFields(token: TokenRecord) {
  const { hash: _hash, ...fields } = token;
  return fields;
}
