// Records for the storage contract: releases, tag moves and keys as a backend stores them, and
// readers of everything a store holds.
import { createHash } from 'node:crypto';
import type { ReleaseSignature } from '@modmesh/manifest';
import type { MetadataStore, NewRelease, PublisherKey, TagMoveRequest } from '@modmesh/registry';

/** A valid release of `name@version`; at this layer the manifest and signature are opaque. Files are not in path order. */
export function newRelease(name: string, version: string, overrides: Partial<NewRelease> = {}): NewRelease {
  return {
    name,
    version,
    manifest: `{"name":"${name}","version":"${version}"}`,
    signature: SIGNATURE,
    publishedAt: '2026-11-22T03:00:00.000Z',
    publishedBy: `ci@${name}`,
    files: [
      { path: 'remoteEntry.js', size: 120, sha256: sha256Hex(`${name}@${version}/remoteEntry.js`) },
      { path: 'chunks/validator.js', size: 80, sha256: sha256Hex(`${name}@${version}/chunks/validator.js`) },
    ],
    ...overrides,
  };
}

/** A move of auth's `stable` tag by alice, unless told otherwise. */
export function tagMove(request: Pick<TagMoveRequest, 'expect' | 'to'> & Partial<TagMoveRequest>): TagMoveRequest {
  return { name: 'auth', tag: 'stable', kind: 'move', actor: 'alice', reason: 'promote', ...request };
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export const SIGNATURE: ReleaseSignature = { algorithm: 'ed25519', keyId: 'k1', value: 'c2ln' };

export function publisherKey(name: string, keyId: string): PublisherKey {
  return { name, keyId, publicKey: `ed25519:${keyId}-public`, label: `${keyId} of ${name}`, addedAt: '2026-11-22T03:00:00.000Z', addedBy: 'admin' };
}

export function byKeyId(keys: PublisherKey[]): PublisherKey[] {
  return [...keys].sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
}

/** A store with two remotes, tags moved and rolled back, keys and tokens. */
export async function fill(store: MetadataStore): Promise<void> {
  await store.insertRelease(newRelease('auth', '1.0.0', { tag: { name: 'stable', reason: 'first' } }));
  await store.insertRelease(newRelease('auth', '1.1.0', { publishedAt: '2026-11-23T03:00:00.000Z' }));
  await store.insertRelease(newRelease('billing', '2.0.0', { tag: { name: 'canary', reason: 'try it' } }));
  await store.moveTag(tagMove({ expect: '1.0.0', to: '1.1.0' }));
  await store.moveTag(tagMove({ expect: '1.1.0', to: '1.0.0', kind: 'rollback', reason: 'broken' }));
  await store.addPublisherKey(publisherKey('auth', 'k1'));
  await store.addPublisherKey(publisherKey('billing', 'k2'));
  await store.addToken({ id: 't1', hash: sha256Hex('secret-1'), role: 'publish', remote: 'auth', label: 'CI', createdAt: '2026-11-22T03:00:00.000Z' });
  await store.addToken({ id: 't2', hash: sha256Hex('secret-2'), role: 'read', remote: null, label: 'hosts', createdAt: '2026-11-22T04:00:00.000Z' });
  await store.revokeToken('t1', 'admin', '2026-11-23T04:00:00.000Z');
  await store.appendAudit({
    at: '2026-11-23T04:00:00.000Z',
    tokenId: 'admin',
    role: 'admin',
    action: 'DELETE /v1/tokens/:id',
    subject: '/v1/tokens/t1',
    outcome: 'ok',
    address: '127.0.0.1',
  });
  const rows = ['root', 'targets', 'snapshot', 'timestamp'].map((role) => {
    const bytes = new TextEncoder().encode(`{"signatures":[],"signed":{"_type":"${role}","version":1}}`);
    return {
      role,
      version: 1,
      bytes,
      sha256: sha256Hex(Buffer.from(bytes)),
      length: bytes.length,
      expires: '2027-12-01T12:00:00Z',
      createdAt: '2026-11-23T05:00:00.000Z',
      createdBy: 'admin',
    };
  });
  await store.commitMetadata({ rows, expect: { snapshot: 0, timestamp: 0 } });
}

/** Everything a user can read back from a store. */
export async function everything(store: MetadataStore) {
  const remotes = await store.listRemotes();
  const perRemote = await Promise.all(
    remotes.map(async ({ name }) => ({
      name,
      versions: await store.listVersions(name),
      releases: await Promise.all(
        (await store.listVersions(name)).map(async ({ version }) => [await store.getRelease(name, version), await store.releaseFiles(name, version)]),
      ),
      tags: await store.getTags(name),
      history: await store.tagHistory(name),
      keys: byKeyId(await store.publisherKeys(name)),
    })),
  );
  return {
    remotes,
    perRemote,
    events: await store.eventsAfter(0, 1000),
    tokens: [await store.findToken(sha256Hex('secret-1')), await store.findToken(sha256Hex('secret-2'))],
    tuf: { head: await store.tufHead(), timestamp: await store.getMetadata('timestamp', 1) },
    audit: await store.auditLog({ limit: 100 }),
  };
}

/** What a failed or refused write must leave unchanged. */
export async function snapshot(store: MetadataStore, name: string) {
  return { tags: await store.getTags(name), history: await store.tagHistory(name), events: await store.eventsAfter(0, 1000) };
}

export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}
