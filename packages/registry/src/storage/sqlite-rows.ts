import type { ReleaseSignature } from '@modmesh/manifest';
import type { PublisherKey, RegistryEvent, StoredRelease, TagMove, TagState, TokenRecord } from './types.js';

// The row shapes of the SQLite schema (sqlite.ts) and their conversion to the storage types.

export interface ReleaseRow {
  name: string;
  version: string;
  manifest: string;
  signature: string;
  published_at: string;
  published_by: string;
}
export interface TagRow {
  name: string;
  tag: string;
  version: string;
  seq: number;
  updated_at: string;
}
export interface TagMoveRow {
  id: number;
  name: string;
  tag: string;
  from_version: string | null;
  to_version: string;
  kind: 'move' | 'rollback';
  actor: string;
  reason: string;
  at: string;
  seq: number;
}
export interface EventRow {
  id: number;
  type: RegistryEvent['type'];
  data: string;
  at: string;
}
export interface KeyRow {
  name: string;
  key_id: string;
  public_key: string;
  label: string;
  added_at: string;
  added_by: string;
}
export interface TokenRow {
  id: string;
  hash: string;
  role: TokenRecord['role'];
  remote: string | null;
  label: string;
  created_at: string;
}

export function toRelease(row: ReleaseRow): StoredRelease {
  return {
    name: row.name,
    version: row.version,
    manifest: row.manifest,
    signature: JSON.parse(row.signature) as ReleaseSignature,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
  };
}

export function toTag(row: TagRow): TagState {
  return { name: row.name, tag: row.tag, version: row.version, seq: row.seq, updatedAt: row.updated_at };
}

export function toMove(row: TagMoveRow): TagMove {
  return {
    id: row.id,
    name: row.name,
    tag: row.tag,
    from: row.from_version,
    to: row.to_version,
    kind: row.kind,
    actor: row.actor,
    reason: row.reason,
    at: row.at,
    seq: row.seq,
  };
}

export function toEvent(row: EventRow): RegistryEvent {
  return { id: row.id, type: row.type, at: row.at, data: JSON.parse(row.data) } as RegistryEvent;
}

export function toToken(row: TokenRow): TokenRecord {
  return { id: row.id, hash: row.hash, role: row.role, remote: row.remote, label: row.label, createdAt: row.created_at };
}

export function toKey(row: KeyRow): PublisherKey {
  return { name: row.name, keyId: row.key_id, publicKey: row.public_key, label: row.label, addedAt: row.added_at, addedBy: row.added_by };
}
