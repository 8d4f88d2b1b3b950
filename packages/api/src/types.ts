// The registry's HTTP API as data: every request body and answer, written once. The registry
// types its routes with these, and every client (Node hosts, pages, the CLI, the dashboard)
// reads them, so a change to a shape is a type error wherever it matters.
// Routes and semantics: packages/registry/README.md.

import type { ModmeshErrorJson } from '@modmesh/manifest/errors';

/** A release as signed by its publisher: the manifest object and its signature, unverified. */
export interface SignedReleaseRecord {
  manifest: unknown;
  signature: unknown;
  publishedAt: string;
  /** The token id (or `admin`) that published it. */
  publishedBy: string;
}

export type TagMoveKind = 'move' | 'rollback';

/** Where a tag points now. */
export interface TagState {
  name: string;
  tag: string;
  version: string;
  /** Increases by one on every move of this tag: a newer statement is told from a replayed one. */
  seq: number;
  updatedAt: string;
}

/** One move of a tag, as the audit log keeps it. */
export interface TagMove {
  id: number;
  name: string;
  tag: string;
  from: string | null;
  to: string;
  kind: TagMoveKind;
  actor: string;
  reason: string;
  at: string;
  seq: number;
  /** Root mode: the `R.tags` version that states this move, and the TUF keyids whose signatures counted. */
  roleVersion?: number;
  signers?: string[];
}

/** A tag's state as a resolve answers it: whether its last move was a rollback decides whether a host may go back. */
export interface ResolvedTag {
  name: string;
  seq: number;
  updatedAt: string;
  kind: TagMoveKind;
}

/** `GET /v1/remotes/:name/resolve/:spec` (`?include=release` adds the signed release). */
export interface ResolveAnswer {
  name: string;
  spec: string;
  version: string;
  tag?: ResolvedTag;
  release?: SignedReleaseRecord;
}

/** A resolve answer with its signed release, as hosts ask for it. */
export type ResolvedRelease = ResolveAnswer & { release: SignedReleaseRecord };

export interface RemoteSummary {
  name: string;
  releases: number;
  latest: string | null;
  tags: Record<string, string>;
}

/** `GET /v1/remotes` */
export interface RemotesAnswer {
  remotes: RemoteSummary[];
}

export interface PublisherKeyInfo {
  keyId: string;
  publicKey: string;
  label: string;
  addedAt: string;
}

export interface VersionEntry {
  version: string;
  publishedAt: string;
}

/** `GET /v1/remotes/:name` */
export interface RemoteAnswer {
  name: string;
  versions: VersionEntry[];
  tags: TagState[];
  keys: PublisherKeyInfo[];
}

/** `GET /v1/remotes/:name/tags` */
export interface TagsAnswer {
  tags: TagState[];
}

/** `GET /v1/remotes/:name/history` and `.../tags/:tag/history`: newest first. */
export interface HistoryAnswer {
  history: TagMove[];
}

/** `GET /v1/remotes/:name/keys` */
export interface KeysAnswer {
  keys: PublisherKeyInfo[];
}

/** `POST /v1/remotes/:name/keys` */
export interface AddKeyRequest {
  /** `ed25519:<base64url>` or an SPKI PEM. */
  publicKey: string;
  label?: string;
}

export interface AddKeyAnswer {
  name: string;
  keyId: string;
}

/** `DELETE /v1/remotes/:name/keys/:keyId` */
export interface RemoveKeyAnswer {
  name: string;
  keyId: string;
  removed: true;
}

export type TokenRole = 'publish' | 'read' | 'admin';

/** `POST /v1/tokens` */
export interface CreateTokenRequest {
  role: TokenRole;
  /** The one remote a publish token may publish to and move tags of. */
  remote?: string;
  label?: string;
  /** @default publish 90, admin 30, read 365; at most 365 */
  expiresInDays?: number;
}

export interface CreateTokenAnswer {
  /** Shown once; the registry keeps only its hash. */
  token: string;
  id: string;
  role: TokenRole;
  remote: string | null;
  expiresAt: string;
}

/** `GET /v1/whoami`: what the token sent may do. */
export interface WhoamiAnswer {
  role: 'admin' | 'publish' | 'read' | 'anonymous';
  remote?: string | null;
}

/** `PUT /v1/remotes/:name/blobs/:sha256` */
export interface UploadAnswer {
  sha256: string;
  size: number;
  /** False when the registry already had these bytes. */
  created: boolean;
}

/** `POST /v1/remotes/:name/releases` */
export interface PublishRequest {
  manifest: unknown;
  signature: unknown;
  /** A tag to point at the new release in the same transaction. */
  tag?: string;
  reason?: string;
}

export interface PublishAnswer {
  name: string;
  version: string;
  files: number;
  tag?: string;
  /** Root mode: the `R.releases` version that lists the release, and the `R.tags` version that moved the tag. */
  releasesVersion?: number;
  tagsVersion?: number;
}

/** `PUT /v1/remotes/:name/tags/:tag`: compare-and-swap. */
export interface MoveTagRequest {
  version: string;
  /** The version the tag points at now, or null to create it. */
  expect: string | null;
  reason?: string;
}

/** `POST /v1/remotes/:name/tags/:tag/rollback` */
export interface RollbackRequest {
  /** The version the tag points at now. @default the current one */
  expect?: string;
  reason?: string;
}

/** `POST /v1/consumers`: which release of each remote a host or page runs. */
export interface ConsumerReport {
  instanceId: string;
  service: string;
  kind: 'node' | 'browser';
  remotes: { name: string; version: string; since: string }[];
  /**
   * The packages it provides to the remotes it loads, from its own copies (`jsonwebtoken` 9.0.3):
   * what a new release's shared singletons must still admit (the publish gate reads them).
   * Hosts older than this field send none.
   */
  shared?: { name: string; version: string }[];
}

export interface Consumer extends ConsumerReport {
  lastSeen: string;
}

export interface ReportAnswer {
  instanceId: string;
  lastSeen: string;
}

/** `DELETE /v1/consumers/:instanceId`: a host that stops says so. */
export interface ForgetAnswer {
  removed: true;
}

/** `GET /v1/consumers` and `GET /v1/remotes/:name/consumers` */
export interface ConsumersAnswer {
  consumers: Consumer[];
}

/** What each event of `GET /v1/events` carries, by its type. */
export interface EventData {
  'release.published': { name: string; version: string; publishedBy: string; at: string };
  'tag.moved': Omit<TagMove, 'id'>;
  /** The registry signed a new TUF timestamp (a release, a tag move, a root or targets push, or a renewal). A hint only: hosts verify what they fetch. */
  'tuf.updated': { timestampVersion: number; at: string };
}

export type EventType = keyof EventData;

/** One event of the registry's stream, as a client receives it (`id` is the resume point). */
export type RegistryStreamEvent = { [T in EventType]: { id: string; type: T; data: EventData[T] } }[EventType];

/** Every error answer: `{ error: { code, message, hint, remote?, version?, file? } }`. */
export interface ErrorAnswer {
  error: ModmeshErrorJson;
}

/** `GET /health` */
export interface HealthAnswer {
  status: 'ok';
  /** The registry's TUF documents: time left, and what needs someone (design 16 §4.1). */
  tuf?: TufStatus;
}

/**
 * Where the registry serves TUF metadata (`N.root.json`, `timestamp.json`, `N.snapshot.json`,
 * `N.targets.json`, `N.R.releases.json`, `N.R.tags.json`) and targets (release documents, at
 * `R/releases/<sha256>.<version>.json` and `R/tags/<sha256>.<tag>`): packages/trust/README.md.
 */
export const TUF_METADATA_PATH = '/v1/tuf/metadata';
export const TUF_TARGETS_PATH = '/v1/tuf/targets';

/** The header a publisher declares its signing key in when uploading files (refused early when not registered). */
export const UPLOAD_KEY_HEADER = 'x-modmesh-key-id';

// --- Root of trust (design 16 §4): the registry's side ---

/** A TUF document as signed: `{ signed, signatures }` (design 16 §2.1). */
export interface TufEnvelope {
  signed: Record<string, unknown>;
  signatures: { keyid: string; sig: string }[];
}

/** `PUT /v1/tuf/roots/:version` (admin): the first root, or the next by the rotation rule; `PUT /v1/tuf/targets/:version` (admin): a newer targets. */
export interface PushMetadataAnswer {
  version: number;
}

/** `POST /v1/remotes/:name/releases` in root mode: the release document with `R.releases` N+1 listing it, and with a tag `R.tags` N+1 moving it. */
export interface SignedPublishRequest {
  /** The signed release: `{ manifest, signature }` (or `signatures` for a publisher threshold above 1). */
  document: { manifest: unknown; signature?: unknown; signatures?: unknown[] };
  role: TufEnvelope;
  tag?: string;
  tagsRole?: TufEnvelope;
}

/** A tag move a mover signed, as the registry recorded it. */
export type SignedTagMove = Omit<TagMove, 'id'> & { roleVersion: number; signers: string[] };

/** `PUT /v1/remotes/:name/tags`: body `R.tags` N+1. */
export interface TagsRoleAnswer {
  name: string;
  tagsVersion: number;
  moves: SignedTagMove[];
}

/** `PUT /v1/remotes/:name/releases`: body `R.releases` N+1 without a new release (adoption, renewal, withdrawal). */
export interface ReleasesRoleAnswer {
  name: string;
  releasesVersion: number;
}

/** `GET /v1/tokens` (admin): every token, never its hash. */
export interface TokenInfo {
  id: string;
  role: TokenRole;
  remote: string | null;
  label: string;
  createdAt: string;
  /** Absent on tokens made before tokens expired. */
  expiresAt?: string;
  revokedAt?: string;
  revokedBy?: string;
  lastUsedAt?: string;
}

export interface TokensAnswer {
  tokens: TokenInfo[];
}

/** `DELETE /v1/tokens/:id` (admin, or the token itself): the token, revoked. */
export type RevokeTokenAnswer = TokenInfo;

/** One use of a publish or admin token, or a refusal of a revoked or expired one. */
export interface AuditEntry {
  id: number;
  at: string;
  /** The token's id; `admin` for the bootstrap admin token. */
  tokenId: string;
  role: TokenRole;
  /** `METHOD /route` */
  action: string;
  /** The request's path. */
  subject: string;
  /** `ok`, or the code it was refused with. */
  outcome: string;
  address: string;
}

/** `GET /v1/audit?since=&limit=` (admin): oldest first. */
export interface AuditAnswer {
  entries: AuditEntry[];
}

/** One TUF document's version and time left. */
export interface TufDocumentStatus {
  version: number;
  expires: string;
  expiresInSeconds: number;
}

/** The TUF part of `GET /health`. */
export interface TufStatus {
  mode: 'legacy' | 'root';
  /** By role: root, timestamp, snapshot, targets, `<remote>.releases`, `<remote>.tags`. */
  documents: Record<string, TufDocumentStatus>;
  /** An expired document, the online key missing. */
  problems: { code: string; message: string }[];
  /** Offline-signed documents expiring within 30 days. */
  warnings: { role: string; message: string }[];
}
