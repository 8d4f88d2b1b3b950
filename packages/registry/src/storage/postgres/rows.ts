import type { ReleaseSignature } from '@modmesh/manifest';
import { documentOf } from '../documents.js';
import type {
  AuditEntry,
  NewRelease,
  PublisherKey,
  RegistryEvent,
  ReleaseFile,
  StoredRelease,
  TagMove,
  TagState,
  TokenRecord,
  TufMeta,
  TufMetadataRow,
} from '../types.js';
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
  document?: string | null;
  signers?: string[] | null;
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
  role_version: string | null;
  signers: string[] | null;
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
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  last_used_at: Date | null;
}
export interface TufRow {
  role: string;
  version: string;
  bytes?: Buffer;
  sha256: string;
  length: number;
  expires: string;
  created_at: Date;
  created_by: string;
}
export interface AuditRow {
  id: string;
  at: Date;
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
    ...(row.role_version !== null && row.role_version !== undefined && { roleVersion: Number(row.role_version), signers: row.signers ?? [] }),
  };
}

export function toEvent(row: EventRow): RegistryEvent {
  return { id: Number(row.id), type: row.type, at: row.at.toISOString(), data: row.data } as RegistryEvent;
}

export function toKey(row: KeyRow): PublisherKey {
  return { name: row.name, keyId: row.key_id, publicKey: row.public_key, label: row.label, addedAt: row.added_at.toISOString(), addedBy: row.added_by };
}

export function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    hash: row.hash,
    role: row.role,
    remote: row.remote,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    ...(row.expires_at && { expiresAt: row.expires_at.toISOString() }),
    ...(row.revoked_at && { revokedAt: row.revoked_at.toISOString(), revokedBy: row.revoked_by ?? '' }),
    ...(row.last_used_at && { lastUsedAt: row.last_used_at.toISOString() }),
  };
}

export function toTufMeta(row: TufRow): TufMeta {
  return {
    role: row.role,
    version: Number(row.version),
    sha256: row.sha256,
    length: row.length,
    expires: row.expires,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}

export function toTufRow(row: TufRow & { bytes: Buffer }): TufMetadataRow {
  return { ...toTufMeta(row), bytes: new Uint8Array(row.bytes) };
}

export function toAudit(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at.toISOString(),
    tokenId: row.token_id,
    role: row.role,
    action: row.action,
    subject: row.subject,
    outcome: row.outcome,
    address: row.address,
  };
}

/** A token's row as given (a restore keeps its id, times and state). */
export async function insertTokenRow(client: Queryable, token: TokenRecord): Promise<void> {
  await client.query(TOKEN_INSERT, tokenValues(token));
}

export const TOKEN_INSERT =
  'INSERT INTO tokens (id, hash, role, remote, label, created_at, expires_at, revoked_at, revoked_by, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';

export function tokenValues(token: TokenRecord): unknown[] {
  return [
    token.id,
    token.hash,
    token.role,
    token.remote,
    token.label,
    token.createdAt,
    token.expiresAt ?? null,
    token.revokedAt ?? null,
    token.revokedBy ?? null,
    token.lastUsedAt ?? null,
  ];
}

/** One TUF metadata row as given (a restore keeps its times). */
export async function insertTufRow(client: Queryable, row: TufMetadataRow): Promise<void> {
  await client.query(
    'INSERT INTO tuf_metadata (role, version, bytes, sha256, length, expires, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [row.role, row.version, Buffer.from(row.bytes), row.sha256, row.length, row.expires, row.createdAt, row.createdBy],
  );
}

/** A release's row and its files' rows (inside the caller's transaction). */
export async function insertReleaseRows(client: Queryable, release: Omit<NewRelease, 'tag'>): Promise<void> {
  const { document, sha256 } = documentOf(release);
  await client.query(
    'INSERT INTO releases (name, version, manifest, signature, published_at, published_by, document, document_sha256, signers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [
      release.name,
      release.version,
      release.manifest,
      JSON.stringify(release.signature),
      release.publishedAt,
      release.publishedBy,
      document,
      sha256,
      release.signers ? JSON.stringify(release.signers) : null,
    ],
  );
  if (release.files.length === 0) return;
  await client.query('INSERT INTO release_files (name, version, path, size, sha256) SELECT $1, $2, * FROM unnest($3::text[], $4::bigint[], $5::text[])', [
    release.name,
    release.version,
    release.files.map((file) => file.path),
    release.files.map((file) => file.size),
    release.files.map((file) => file.sha256),
  ]);
}
