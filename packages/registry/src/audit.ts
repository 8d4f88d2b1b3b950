import type { FastifyInstance, FastifyRequest } from 'fastify';
import { refusedTokenOf } from './auth.js';
import { toHttpError } from './http-errors.js';
import type { MetadataStore, TokenRecord } from './storage/types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The coded error the request was refused with, for the audit log. */
    refusal?: { code: string; token?: { id: string; role: TokenRecord['role'] } };
  }
}

// Reads by publish and admin tokens are not audited, except of the credentials themselves.
const AUDITED_READS = ['/v1/tokens', '/v1/audit'];

/**
 * The audit log (design 16 §4.4): one entry for every request made with a publish or admin token
 * (writes, and reads of tokens and the audit log), and for every request refused because its
 * token was revoked or expired, whatever its role, with the route, the path, the outcome (`ok`
 * or the code) and the client's address. Written when the answer has been sent.
 */
export function registerAudit(app: FastifyInstance, services: { metadata: MetadataStore; onError?: (error: unknown) => void }): void {
  app.addHook('onError', async function rememberRefusal(request, _reply, error) {
    const token = refusedTokenOf(error);
    // The code the answer carries (a framework refusal is given one by http-errors.ts).
    request.refusal = { code: toHttpError(error).body.error.code, ...(token && { token }) };
  });
  app.addHook('onResponse', async function audit(request, reply) {
    const who = whoOf(request);
    if (!who) return;
    const path = request.url.split('?')[0] ?? request.url;
    await services.metadata
      .appendAudit({
        at: new Date().toISOString(),
        tokenId: who.id,
        role: who.role,
        action: `${request.method} ${request.routeOptions.url ?? path}`,
        subject: path,
        outcome: reply.statusCode < 400 ? 'ok' : (request.refusal?.code ?? `HTTP ${reply.statusCode}`),
        address: request.ip,
      })
      .catch((error: unknown) => services.onError?.(error));
  });
}

// --- internal ---

function whoOf(request: FastifyRequest): { id: string; role: TokenRecord['role'] } | undefined {
  if (request.refusal?.token) return request.refusal.token;
  const principal = request.principal;
  if (!principal || (principal.kind !== 'admin' && principal.kind !== 'publish')) return undefined;
  const read = request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS';
  if (read && !AUDITED_READS.some((prefix) => request.url.startsWith(prefix))) return undefined;
  return { id: principal.id, role: principal.kind };
}
