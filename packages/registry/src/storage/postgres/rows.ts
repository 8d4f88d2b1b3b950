import type { ReleaseSignature } from '@modmesh/manifest';
import type { NewRelease, PublisherKey, RegistryEvent, ReleaseFile, StoredRelease, TagMove, TagState, TokenRecord } from '../types.js';
import type { Queryable } from './pool.js';

// The row shapes of the PostgreSQL schema (migrations.ts) and their conversion to the storage
// types. bigint columns arrive as strings (node-postgres does not guess at 64-bit numbers); every
// one here is far below 2^53.

export interface ReleaseRow {
  name: string;
  version: string;
  manifest: string;
  signature: string;
  published_at: Date;
  published_by: string;
}
export interface FileRow {
  path: string;
  size: string;
  sha256: string;
}
export interface TagRow {
  name: string;
  tag: string;
  version: string;
  seq: string;
  updated_at: Date;
}
export interface TagMoveRow {
  id: string;
  name: string;
  tag: string;
  from_version: string | null;
  to_version: string;
  kind: TagMove['kind'];
  actor: string;
  reason: string;
  at: Date;
  seq: string;
}
export interface EventRow {
  id: string;
  type: RegistryEvent['type'];
  data: RegistryEvent['data'];
  at: Date;
}
export interface KeyRow {
  name: string;
  key_id: string;
  public_key: string;
  label: string;
  added_at: Date;
  added_by: string;
}
export interface TokenRow {
  id: string;
  hash: string;
  role: TokenRecord['role'];
  remote: string | null;
  label: string;
  created_at: Date;
}

export function toRelease(row: ReleaseRow): StoredRelease {
  return {
    name: row.name,
    version: row.version,
    manifest: row.manifest,
    signature: JSON.parse(row.signature) as ReleaseSignature,
    publishedAt: row.published_at.toISOString(),
    publishedBy: row.published_by,
  };
}

export function toFile(row: FileRow): ReleaseFile {
  return { path: row.path, size: Number(row.size), sha256: row.sha256 };
}

export function toTag(row: TagRow): TagState {
  return { name: row.name, tag: row.tag, version: row.version, seq: Number(row.seq), updatedAt: row.updated_at.toISOString() };
}

export function toMove(row: TagMoveRow): TagMove {
  return {
    id: Number(row.id),
    name: row.name,
    tag: row.tag,
    from: row.from_version,
    to: row.to_version,
    kind: row.kind,
    actor: row.actor,
    reason: row.reason,
    at: row.at.toISOString(),
    seq: Number(row.seq),
  };
}

export function toEvent(row: EventRow): RegistryEvent {
  return { id: Number(row.id), type: row.type, at: row.at.toISOString(), data: row.data } as RegistryEvent;
}

export function toKey(row: KeyRow): PublisherKey {
  return { name: row.name, keyId: row.key_id, publicKey: row.public_key, label: row.label, addedAt: row.added_at.toISOString(), addedBy: row.added_by };
}

export function toToken(row: TokenRow): TokenRecord {
  return { id: row.id, hash: row.hash, role: row.role, remote: row.remote, label: row.label, createdAt: row.created_at.toISOString() };
}

/** A release's row and its files' rows (inside the caller's transaction). */
export async function insertReleaseRows(client: Queryable, release: Omit<NewRelease, 'tag'>): Promise<void> {
  await client.query('INSERT INTO releases (name, version, manifest, signature, published_at, published_by) VALUES ($1, $2, $3, $4, $5, $6)', [
    release.name,
    release.version,
    release.manifest,
    JSON.stringify(release.signature),
    release.publishedAt,
    release.publishedBy,
  ]);
  if (release.files.length === 0) return;
  await client.query('INSERT INTO release_files (name, version, path, size, sha256) SELECT $1, $2, * FROM unnest($3::text[], $4::bigint[], $5::text[])', [
    release.name,
    release.version,
    release.files.map((file) => file.path),
    release.files.map((file) => file.size),
    release.files.map((file) => file.sha256),
  ]);
}
