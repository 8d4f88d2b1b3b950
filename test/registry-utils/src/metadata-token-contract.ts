// The MetadataStore contract, continued: tokens' expiry, revocation and last use, and the audit log.
import type { MetadataStore, TokenRecord } from '@modmesh/registry';
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from './records.js';

export function describeTokenContract(current: () => MetadataStore): void {
  describe('token lifecycle and audit', () => {
    let store: MetadataStore;
    beforeEach(() => {
      store = current();
    });

    const token: TokenRecord = {
      id: 't1',
      hash: sha256Hex('secret-1'),
      role: 'admin',
      remote: null,
      label: 'ops',
      createdAt: '2026-11-22T03:00:00.000Z',
      expiresAt: '2026-12-22T03:00:00.000Z',
    };

    it('keeps an expiry and lists every token oldest first', async () => {
      await store.addToken({ ...token, id: 't2', hash: sha256Hex('secret-2'), createdAt: '2026-11-23T03:00:00.000Z' });
      await store.addToken(token);

      expect((await store.listTokens()).map((item) => item.id)).toEqual(['t1', 't2']);
      expect(await store.findToken(token.hash)).toEqual(token);
    });

    it('revokes once: the first revocation is kept, an unknown id is undefined', async () => {
      await store.addToken(token);

      const revoked = await store.revokeToken('t1', 'admin', '2026-11-24T03:00:00.000Z');
      const again = await store.revokeToken('t1', 'someone-else', '2026-11-25T03:00:00.000Z');

      expect(revoked).toEqual({ ...token, revokedAt: '2026-11-24T03:00:00.000Z', revokedBy: 'admin' });
      expect(again).toEqual(revoked);
      expect(await store.findToken(token.hash)).toEqual(revoked);
      expect(await store.revokeToken('nope', 'admin', '2026-11-24T03:00:00.000Z')).toBeUndefined();
    });

    it('records a use, but not again within the interval', async () => {
      await store.addToken(token);

      await store.touchToken('t1', '2026-11-24T03:00:00.000Z', 60_000);
      await store.touchToken('t1', '2026-11-24T03:00:30.000Z', 60_000);
      expect((await store.findToken(token.hash))?.lastUsedAt).toBe('2026-11-24T03:00:00.000Z');

      await store.touchToken('t1', '2026-11-24T03:01:00.000Z', 60_000);
      expect((await store.findToken(token.hash))?.lastUsedAt).toBe('2026-11-24T03:01:00.000Z');
    });

    it('appends audit entries and reads the newest, or those from a time on, oldest first', async () => {
      const entries = [];
      for (const minute of [1, 2, 3]) {
        entries.push(
          await store.appendAudit({
            at: `2026-11-24T03:0${minute}:00.000Z`,
            tokenId: 't1',
            role: 'publish',
            action: 'PUT /v1/remotes/:name/tags',
            subject: '/v1/remotes/auth/tags',
            outcome: minute === 2 ? 'MODMESH_TAG_CONFLICT' : 'ok',
            address: '127.0.0.1',
          }),
        );
      }

      expect(entries.map((entry) => entry.id)).toEqual([...entries.map((entry) => entry.id)].sort((a, b) => a - b));
      expect(await store.auditLog({ limit: 2 })).toEqual(entries.slice(1));
      expect(await store.auditLog({ since: '2026-11-24T03:02:00.000Z', limit: 10 })).toEqual(entries.slice(1));
      expect(await store.auditLog({ since: '2026-11-24T03:00:00.000Z', limit: 1 })).toEqual(entries.slice(0, 1));
    });
  });
}
