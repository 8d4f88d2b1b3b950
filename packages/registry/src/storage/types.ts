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
}

/**
 * One record of a registry's metadata, as `modmesh registry export` writes it and `import`
 * replays it: ids, sequence numbers and times are kept, so hosts' `Last-Event-ID` and tag `seq`
 * stay valid across a move between backends.
 */
export type DumpRecord =
  | { record: 'release'; release: StoredRelease & { files: ReleaseFile[] } }
  | { record: 'tag'; tag: TagState }
  | { record: 'tagMove'; move: TagMove }
  | { record: 'event'; event: RegistryEvent }
  | { record: 'key'; key: PublisherKey }
  | { record: 'token'; token: TokenRecord };

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
