// Three registry replicas as separate processes on one PostgreSQL database: a publish token
// revoked through one replica is refused on its very next request through each of the other two
// (no replica caches a token), and the audit log, shared by all, holds the revocation and both
// refusals (design 16 §4.4).
import { pollUntil, postgresUnavailable } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICA_ADMIN_TOKEN, type ReplicaSet, startReplicaSet } from './replicas.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the registry replica token tests: ${unavailable}`);

interface AuditEntry {
  tokenId: string;
  action: string;
  subject: string;
  outcome: string;
}

describe.skipIf(unavailable)('revoking a token across registry replicas', () => {
  let replicas: ReplicaSet;
  beforeAll(async () => {
    replicas = await startReplicaSet({ count: 3, remotes: ['auth'] });
  });
  afterAll(() => replicas?.close());

  it('refuses the revoked token at once on every other replica with MODMESH_TOKEN_REVOKED, and audits the revocation and each refusal', async () => {
    const created = await replicas.api<{ token: string; id: string }>(0, 'POST', '/v1/tokens', { remote: 'auth', label: 'leaked CI token' });
    expect(created.status).toBe(201);
    const { token, id } = created.body;
    for (const index of [1, 2]) expect((await replicas.api(index, 'GET', '/v1/remotes/auth/tags', undefined, token)).status).toBe(200);

    const revoked = await replicas.api(0, 'DELETE', `/v1/tokens/${id}`);
    expect(revoked.status).toBe(200);

    for (const index of [1, 2]) {
      const next = await replicas.api<{ error: { code: string } }>(index, 'PUT', '/v1/remotes/auth/tags/stable', { version: '1.0.0', expect: null }, token);
      expect([index, next.status, next.body.error.code]).toEqual([index, 401, 'MODMESH_TOKEN_REVOKED']);
    }
    const audit = await pollUntil('the revocation and two refusals in the audit log', async () => {
      const { body } = await replicas.api<{ entries: AuditEntry[] }>(2, 'GET', '/v1/audit?limit=1000', undefined, REPLICA_ADMIN_TOKEN);
      const about = body.entries.filter((entry) => entry.subject === `/v1/tokens/${id}` || entry.tokenId === id);
      return about.length >= 3 ? about : undefined;
    });
    // Each entry is written once its answer is sent, by the replica that answered: in any order.
    expect(audit).toHaveLength(3);
    expect(audit.map(({ tokenId, action, outcome }) => ({ tokenId, action, outcome }))).toEqual(
      expect.arrayContaining([
        { tokenId: 'admin', action: 'DELETE /v1/tokens/:id', outcome: 'ok' },
        { tokenId: id, action: 'PUT /v1/remotes/:name/tags/:tag', outcome: 'MODMESH_TOKEN_REVOKED' },
        { tokenId: id, action: 'PUT /v1/remotes/:name/tags/:tag', outcome: 'MODMESH_TOKEN_REVOKED' },
      ]),
    );
    expect(audit.filter((entry) => entry.outcome === 'MODMESH_TOKEN_REVOKED')).toHaveLength(2);
  });
});
