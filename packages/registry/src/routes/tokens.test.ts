// Tokens a team can manage (design 16 §4.4): expiry, a list without secrets, revocation refused
// at once, and an audit entry for every use of a publish or admin token.

import { admin, bearer, createTestRegistry, expectAnswer, type TestRegistry } from '@modmesh/registry-test-utils';
import { pollUntil } from '@modmesh/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../auth.js';

let registry: TestRegistry;

beforeEach(async () => {
  registry = await createTestRegistry();
  return () => registry.cleanup();
});

function call(method: 'GET' | 'POST' | 'DELETE' | 'PUT', url: string, headers: Record<string, string> = admin(), payload?: unknown) {
  return registry.app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as never }) });
}

async function create(body: Record<string, unknown>) {
  return expectAnswer('POST /v1/tokens', await call('POST', '/v1/tokens', admin(), body));
}

describe('POST /v1/tokens', () => {
  it('gives each role its default lifetime (publish 90 d, admin 30 d, read 365 d), or the one asked for up to 365 d', async () => {
    const days = (token: { expiresAt: string }) => Math.round((Date.parse(token.expiresAt) - Date.now()) / 86_400_000);
    expect(days(await create({ remote: 'auth' }))).toBe(90);
    expect(days(await create({ role: 'admin', label: 'ops' }))).toBe(30);
    expect(days(await create({ role: 'read' }))).toBe(365);
    expect(days(await create({ role: 'read', expiresInDays: 7 }))).toBe(7);
    const tooLong = await call('POST', '/v1/tokens', admin(), { role: 'read', expiresInDays: 366 });
    expect([tooLong.statusCode, tooLong.json().error.code]).toEqual([400, 'MODMESH_BAD_REQUEST']);
  });

  it('makes named admin tokens that can do what the bootstrap admin token does', async () => {
    const ops = await create({ role: 'admin', label: 'ops' });
    expect((await call('GET', '/v1/whoami', bearer(ops.token))).json()).toEqual({ role: 'admin' });
    expect((await call('POST', '/v1/tokens', bearer(ops.token), { role: 'read' })).statusCode).toBe(201);
  });
});

describe('GET /v1/tokens and DELETE /v1/tokens/:id', () => {
  it('lists every token without its hash, with when it was last used', async () => {
    const ci = await create({ remote: 'auth', label: 'auth CI' });
    await call('GET', '/v1/remotes', bearer(ci.token));

    const { tokens } = expectAnswer('GET /v1/tokens', await call('GET', '/v1/tokens'));

    expect(tokens).toEqual([
      { id: ci.id, role: 'publish', remote: 'auth', label: 'auth CI', createdAt: expect.any(String), expiresAt: ci.expiresAt, lastUsedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(tokens)).not.toContain(hashToken(ci.token));
    const publishing = await call('GET', '/v1/tokens', bearer(ci.token));
    expect([publishing.statusCode, publishing.json().error.code]).toEqual([403, 'MODMESH_FORBIDDEN']);
  });

  it('refuses a revoked token on its very next request with MODMESH_TOKEN_REVOKED; a token may revoke itself, not others', async () => {
    const ci = await create({ remote: 'auth' });
    const other = await create({ remote: 'billing' });
    expect((await call('DELETE', `/v1/tokens/${other.id}`, bearer(ci.token))).json().error.code).toBe('MODMESH_FORBIDDEN');

    const revoked = expectAnswer('DELETE /v1/tokens/:id', await call('DELETE', `/v1/tokens/${ci.id}`, bearer(ci.token)));
    expect(revoked).toMatchObject({ id: ci.id, revokedAt: expect.any(String), revokedBy: ci.id });

    const next = await call('GET', '/v1/remotes', bearer(ci.token));
    expect([next.statusCode, next.json().error.code]).toEqual([401, 'MODMESH_TOKEN_REVOKED']);
    expect((await call('DELETE', `/v1/tokens/${other.id}`)).statusCode).toBe(200);
    expect((await call('DELETE', '/v1/tokens/nope')).json().error.code).toBe('MODMESH_NOT_FOUND');
  });

  it('refuses an expired token with MODMESH_TOKEN_EXPIRED', async () => {
    await registry.metadata.addToken({
      id: 'old',
      hash: hashToken('mmp_expired-token'),
      role: 'publish',
      remote: 'auth',
      label: 'old CI',
      createdAt: '2025-01-01T00:00:00.000Z',
      expiresAt: '2025-04-01T00:00:00.000Z',
    });
    const refused = await call('GET', '/v1/remotes', bearer('mmp_expired-token'));
    expect([refused.statusCode, refused.json().error.code]).toEqual([401, 'MODMESH_TOKEN_EXPIRED']);
  });
});

describe('GET /v1/audit', () => {
  it('holds every write by a publish or admin token, with its outcome, and every refusal of a revoked token; reads by them are not in it', async () => {
    const ci = await create({ remote: 'auth', label: 'auth CI' });
    await call('PUT', '/v1/remotes/auth/tags/stable', bearer(ci.token), { version: '1.0.0', expect: null });
    await call('GET', '/v1/remotes/auth', bearer(ci.token));
    await call('DELETE', `/v1/tokens/${ci.id}`);
    await call('GET', '/v1/remotes/auth', bearer(ci.token));

    // Written once each answer is sent: the last one may land just after its answer.
    const entries = await pollUntil('four audit entries', async () => {
      // Reading the audit log is itself audited: those entries are left out here.
      const read = expectAnswer('GET /v1/audit', await call('GET', '/v1/audit')).entries.filter((entry) => entry.action !== 'GET /v1/audit');
      return read.length >= 4 ? read : undefined;
    });

    expect(entries.map(({ tokenId, role, action, subject, outcome }) => ({ tokenId, role, action, subject, outcome }))).toEqual([
      { tokenId: 'admin', role: 'admin', action: 'POST /v1/tokens', subject: '/v1/tokens', outcome: 'ok' },
      { tokenId: ci.id, role: 'publish', action: 'PUT /v1/remotes/:name/tags/:tag', subject: '/v1/remotes/auth/tags/stable', outcome: 'MODMESH_NOT_FOUND' },
      { tokenId: 'admin', role: 'admin', action: 'DELETE /v1/tokens/:id', subject: `/v1/tokens/${ci.id}`, outcome: 'ok' },
      { tokenId: ci.id, role: 'publish', action: 'GET /v1/remotes/:name', subject: '/v1/remotes/auth', outcome: 'MODMESH_TOKEN_REVOKED' },
    ]);
    expect(entries[0]).toMatchObject({ address: '127.0.0.1', at: expect.any(String), id: expect.any(Number) });
    const third = entries[2] as { at: string; id: number };
    const since = (await call('GET', `/v1/audit?since=${encodeURIComponent(third.at)}`)).json().entries;
    expect(since[0]).toMatchObject({ id: third.id });
    expect((await call('GET', '/v1/audit?since=yesterday')).json().error.code).toBe('MODMESH_BAD_REQUEST');
  });
});
