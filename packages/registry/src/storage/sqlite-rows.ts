import type { ReleaseSignature } from '@modmesh/manifest';
import type Database from 'better-sqlite3';
import { documentOf } from './documents.js';
import type { AuditEntry, NewRelease, PublisherKey, RegistryEvent, StoredRelease, TagMove, TagState, TokenRecord, TufMeta, TufMetadataRow } from './types.js';

// The row shapes of the SQLite schema (sqlite.ts) and their conversion to the storage types.

export interface ReleaseRow {
  name: string;
  version: string;
  manifest: string;
  signature: string;
  published_at: string;
  published_by: string;
  document?: string | null;
  signers?: string | null;
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
  role_version: number | null;
  signers: string | null;
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
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  last_used_at: string | null;
}
export interface TufRow {
  role: string;
  version: number;
  bytes?: Buffer;
  sha256: string;
  length: number;
  expires: string;
  created_at: string;
  created_by: string;
}
export interface AuditRow {
  id: number;
  at: string;
  token_id: string;
  role: TokenRecord['role'];
  action: string;
  subject: string;
  outcome: string;
  address: string;
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
    ...(row.role_version !== null && row.role_version !== undefined && { roleVersion: row.role_version, signers: JSON.parse(row.signers ?? '[]') }),
  };
}

export function toEvent(row: EventRow): RegistryEvent {
  return { id: row.id, type: row.type, at: row.at, data: JSON.parse(row.data) } as RegistryEvent;
}

export function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    hash: row.hash,
    role: row.role,
    remote: row.remote,
    label: row.label,
    createdAt: row.created_at,
    ...(row.expires_at && { expiresAt: row.expires_at }),
    ...(row.revoked_at && { revokedAt: row.revoked_at, revokedBy: row.revoked_by ?? '' }),
    ...(row.last_used_at && { lastUsedAt: row.last_used_at }),
  };
}

export function toTufMeta(row: TufRow): TufMeta {
  return {
    role: row.role,
    version: row.version,
    sha256: row.sha256,
    length: row.length,
    expires: row.expires,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export function toTufRow(row: TufRow & { bytes: Buffer }): TufMetadataRow {
  return { ...toTufMeta(row), bytes: new Uint8Array(row.bytes) };
}

export function toAudit(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    tokenId: row.token_id,
    role: row.role,
    action: row.action,
    subject: row.subject,
    outcome: row.outcome,
    address: row.address,
  };
}

export function toKey(row: KeyRow): PublisherKey {
  return { name: row.name, keyId: row.key_id, publicKey: row.public_key, label: row.label, addedAt: row.added_at, addedBy: row.added_by };
}

/** The rows of a release and its files (inside the caller's transaction); VERSION_EXISTS is the caller's check. */
export function insertReleaseRow(prepare: (sql: string) => Database.Statement, release: NewRelease): void {
  const { document, sha256 } = documentOf(release);
  prepare(
    'INSERT INTO releases (name, version, manifest, signature, published_at, published_by, document, document_sha256, signers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    release.name,
    release.version,
    release.manifest,
    JSON.stringify(release.signature),
    release.publishedAt,
    release.publishedBy,
    document,
    sha256,
    release.signers ? JSON.stringify(release.signers) : null,
  );
  const addFile = prepare('INSERT INTO release_files (name, version, path, size, sha256) VALUES (?, ?, ?, ?, ?)');
  for (const file of release.files) addFile.run(release.name, release.version, file.path, file.size, file.sha256);
}
