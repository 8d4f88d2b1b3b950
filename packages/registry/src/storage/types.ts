import type { Readable } from 'node:stream';
import type { EventData, EventType, PublisherKeyInfo, RemoteSummary, TagMove, TagMoveKind, TagState, TokenRole, VersionEntry } from '@modmesh/api';
import type { ReleaseSignature } from '@modmesh/manifest';

// What the registry answers is the contract's (@modmesh/api); what it keeps is that, plus what
// only the registry needs (who added a key, a token's hash). Nothing is written twice.
export type { RemoteSummary, TagMove, TagMoveKind, TagState, VersionEntry };

/** Content-addressed bytes: a file is stored under its SHA-256 and never changes. */
export interface BlobStore {
  has(sha256: string): Promise<boolean>;
  /** Size in bytes, or undefined when absent. */
  size(sha256: string): Promise<number | undefined>;
  /**
   * Stores bytes under their hash. The bytes are hashed while written to a temporary file,
   * synced, and renamed into place only if they match `sha256` (and `maxBytes`); otherwise
   * nothing is stored and a coded error is thrown.
   */
  put(sha256: string, body: Readable | Buffer, options: { maxBytes: number }): Promise<{ size: number; created: boolean }>;
  /** A stream of the stored bytes, or undefined when absent. */
  open(sha256: string): Promise<Readable | undefined>;
  /** Every stored hash (for checks and garbage collection). */
  list(): AsyncIterable<string>;
}

export interface StoredRelease {
  name: string;
  version: string;
  /** The canonical JSON of the manifest, exactly as signed. */
  manifest: string;
  signature: ReleaseSignature;
  publishedAt: string;
  publishedBy: string;
}

export interface ReleaseFile {
  path: string;
  size: number;
  sha256: string;
}

export interface NewRelease extends StoredRelease {
  files: ReleaseFile[];
  /** A tag to point at the new release in the same transaction. */
  tag?: { name: string; reason: string };
  /**
   * The release document (design 16 §1.3): the exact bytes a TUF target names, canonical JSON of
   * the signed envelope. @default the canonical JSON of `{ manifest, signature }`
   */
  document?: string;
  /** TUF keyids of the publishers whose R.releases signatures listed it (root mode). */
  signers?: string[];
}

/** A release document as stored: its exact text and SHA-256. */
export interface ReleaseDocument {
  version: string;
  document: string;
  sha256: string;
}

export interface TagMoveRequest {
  name: string;
  tag: string;
  to: string;
  /** The version the caller believes the tag points at now; null: the tag must not exist yet. */
  expect: string | null;
  kind: TagMoveKind;
  actor: string;
  reason: string;
}

/**
 * An event as stored: its number, and the data the event stream sends except the time, which
 * is the row's own (the stream puts it back: events.ts toStreamEvent).
 */
export type RegistryEvent = { [T in EventType]: { id: number; type: T; at: string; data: Omit<EventData[T], 'at'> } }[EventType];

/** A publisher key as stored: what `GET .../keys` shows, plus the remote and who added it. */
export interface PublisherKey extends PublisherKeyInfo {
  name: string;
  addedBy: string;
}

export interface TokenRecord {
  id: string;
  /** SHA-256 of the token; the token itself is never stored. */
  hash: string;
  role: TokenRole;
  /** The one remote a publish token may publish to and move tags of. */
  remote: string | null;
  label: string;
  createdAt: string;
  /** Refused from then on; absent on tokens made before tokens expired. */
  expiresAt?: string;
  /** Set once, when revoked; refused from then on. */
  revokedAt?: string;
  revokedBy?: string;
  /** The last request made with it (read tokens: to the minute). */
  lastUsedAt?: string;
}

/** One use of a publish or admin token (or a refused one): who, what, and how it ended. */
export interface AuditEntry {
  id: number;
  at: string;
  /** The token's id, `admin` for the bootstrap admin token. */
  tokenId: string;
  role: TokenRecord['role'];
  /** `METHOD /route`, e.g. `PUT /v1/remotes/:name/tags`. */
  action: string;
  /** What it was about: the request's path. */
  subject: string;
  /** `ok`, or the code it was refused with. */
  outcome: string;
  /** The client's address. */
  address: string;
}

/** One stored TUF metadata document (design 16 §4.1): immutable once written. */
export interface TufMetadataRow {
  /** `root`, `targets`, `snapshot`, `timestamp`, `auth.releases`, `auth.tags`, ... */
  role: string;
  version: number;
  /** The exact bytes served (canonical JSON). */
  bytes: Uint8Array;
  sha256: string;
  length: number;
  /** The document's signed `expires`. */
  expires: string;
  createdAt: string;
  /** The token id (or `admin`, or `registry` for the online key's own renewals) that wrote it. */
  createdBy: string;
}

export type TufMeta = Omit<TufMetadataRow, 'bytes'>;

/** The current TUF state: versions of the top-level roles (0: none yet) and the newest row of every role. */
export interface TufHead {
  root: number;
  targets: number;
  snapshot: number;
  timestamp: number;
  /** By role name, the newest row (without its bytes). */
  current: Record<string, TufMeta>;
}

/** A tag move a mover signed (root mode): written to `tags` and the audit log with the role version. */
export interface SignedTagMove extends Omit<TagMove, 'id' | 'roleVersion' | 'signers'> {
  /** The `R.tags` version that states it. */
  roleVersion: number;
  /** The TUF keyids whose signatures counted. */
  signers: string[];
}

/**
 * One change of the TUF metadata, all or nothing: its documents (a role's N+1, the snapshot and
 * timestamp over it), and the release and tag moves they state. Built on `expect`: when another
 * change committed in between, nothing is written and the caller rebuilds on the new head.
 */
export interface MetadataCommit {
  rows: TufMetadataRow[];
  expect: { snapshot: number; timestamp: number };
  release?: NewRelease;
  tagMoves?: SignedTagMove[];
}

/**
 * One record of a registry's metadata, as `modmesh registry export` writes it and `import`
 * replays it: ids, sequence numbers and times are kept, so hosts' `Last-Event-ID` and tag `seq`
 * stay valid across a move between backends.
 */
export type DumpRecord =
  | { record: 'release'; release: StoredRelease & { files: ReleaseFile[]; document?: string; signers?: string[] } }
  | { record: 'tag'; tag: TagState }
  | { record: 'tagMove'; move: TagMove }
  | { record: 'event'; event: RegistryEvent }
  | { record: 'key'; key: PublisherKey }
  | { record: 'token'; token: TokenRecord }
  | { record: 'tufMetadata'; metadata: Omit<TufMetadataRow, 'bytes'> & { bytes: string } }
  | { record: 'audit'; entry: AuditEntry };

/** Everything the registry keeps besides file bytes. Every backend passes `storage.contract.ts`. */
export interface MetadataStore {
  /** Atomically: the release, its files, the optional tag move and their events; or nothing. */
  insertRelease(release: NewRelease): Promise<RegistryEvent[]>;
  getRelease(name: string, version: string): Promise<StoredRelease | undefined>;
  releaseFiles(name: string, version: string): Promise<ReleaseFile[]>;
  /** Some path a blob is published under (for its content type), or undefined. */
  pathOfBlob(sha256: string): Promise<string | undefined>;
  listRemotes(): Promise<RemoteSummary[]>;
  listVersions(name: string): Promise<VersionEntry[]>;

  getTags(name: string): Promise<TagState[]>;
  /** Compare-and-swap: throws MODMESH_TAG_CONFLICT when `expect` is not the tag's target. */
  moveTag(request: TagMoveRequest): Promise<{ move: TagMove; event: RegistryEvent }>;
  /** Newest first. */
  tagHistory(name: string, tag?: string, limit?: number): Promise<TagMove[]>;

  eventsAfter(id: number, limit: number): Promise<RegistryEvent[]>;
  /** The id of the newest event, 0 when there is none. */
  latestEventId(): Promise<number>;
  /**
   * Calls `onEvents` whenever another process sharing this storage may have committed events
   * (PostgreSQL: LISTEN/NOTIFY, plus a periodic nudge in case a notification was lost). The
   * embedded store has no other process and never calls it. Resolves with a function that stops.
   */
  watchEvents(onEvents: () => void): Promise<() => Promise<void>>;

  addPublisherKey(key: PublisherKey): Promise<void>;
  publisherKeys(name: string): Promise<PublisherKey[]>;
  removePublisherKey(name: string, keyId: string): Promise<boolean>;

  addToken(token: TokenRecord): Promise<void>;
  findToken(hash: string): Promise<TokenRecord | undefined>;
  /** Every token, oldest first. */
  listTokens(): Promise<TokenRecord[]>;
  /** Revokes a token once (a second revocation changes nothing); undefined when there is no such token. */
  revokeToken(id: string, by: string, at: string): Promise<TokenRecord | undefined>;
  /** Records a use, unless one was recorded less than `minIntervalMs` before `at`. */
  touchToken(id: string, at: string, minIntervalMs: number): Promise<void>;
  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** Audit entries, oldest first: the first `limit` at or after `since` (ISO time), or without it the newest `limit`. */
  auditLog(options: { since?: string; limit: number }): Promise<AuditEntry[]>;

  /** The TUF head: top-level versions and the newest row of every role. */
  tufHead(): Promise<TufHead>;
  /** One TUF document; the newest of the role when `version` is not given. */
  getMetadata(role: string, version?: number): Promise<TufMetadataRow | undefined>;
  /**
   * Writes a TUF change in one transaction: every row must be above its role's newest version
   * (MODMESH_META_CONFLICT otherwise: someone else wrote it first), the release is new (MODMESH_VERSION_EXISTS), the tags
   * move as signed, and a `tuf.updated` event (plus `release.published` and `tag.moved`) is
   * appended. `stale` when the snapshot or timestamp moved since `expect`: nothing written.
   */
  commitMetadata(change: MetadataCommit): Promise<{ events: RegistryEvent[] } | { stale: true }>;
  /** The release document of `name@version` (derived from the manifest and signature for releases published before documents were kept). */
  releaseDocument(name: string, version: string): Promise<ReleaseDocument | undefined>;
  /** The release document of `name` whose SHA-256 is `sha256`. */
  releaseDocumentByHash(name: string, sha256: string): Promise<ReleaseDocument | undefined>;

  /** Every record, releases before the tags and moves that name them, each kind in id order. */
  dump(): AsyncIterable<DumpRecord>;
  /**
   * Writes dumped records as they were, in one transaction. A record already stored identically
   * is skipped (importing twice changes nothing); one that differs from what is stored refuses
   * the whole batch with MODMESH_IMPORT_CONFLICT, and nothing is written. `dryRun` checks and
   * counts, then rolls back.
   */
  restore(records: DumpRecord[], options?: { dryRun?: boolean }): Promise<{ added: number; unchanged: number }>;

  close(): Promise<void>;
}
