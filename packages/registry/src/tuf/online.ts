import { createHash } from 'node:crypto';
import { addSignature, documentBytes, type Envelope, type RootSigned, type SnapshotSigned, SPEC_VERSION, type TimestampSigned } from '@modmesh/trust';
import type { TufHead, TufMeta, TufMetadataRow } from '../storage/types.js';
import type { OnlineSigner } from './online-key.js';

/** How long the online documents live, and how long before expiry they are renewed (design 16 §2.2). */
export interface OnlineExpiry {
  /** @default 3600 (1 h) */
  timestampSeconds: number;
  /** @default 1800 (30 min) */
  timestampRenewBeforeSeconds: number;
  /** @default 604800 (7 d) */
  snapshotSeconds: number;
  /** @default 86400 (1 d) */
  snapshotRenewBeforeSeconds: number;
}

export const DEFAULT_ONLINE_EXPIRY: OnlineExpiry = {
  timestampSeconds: 3600,
  timestampRenewBeforeSeconds: 1800,
  snapshotSeconds: 7 * 86_400,
  snapshotRenewBeforeSeconds: 86_400,
};

export interface OnlineDocuments {
  /** The new snapshot's row, when the snapshot changed. */
  snapshot?: TufMetadataRow;
  timestamp: TufMetadataRow;
}

/**
 * The snapshot over every role's newest document after `changed` (the registry lists each role
 * of a remote once it exists, and never drops one: TUF 5.5.5), and the timestamp over it, signed
 * with the online keys `root` names. Without a new snapshot (`newSnapshot: false`, a timestamp
 * renewal) the timestamp covers the current one.
 */
export function signOnline(options: {
  head: TufHead;
  changed: TufMetadataRow[];
  root: RootSigned;
  signer: OnlineSigner;
  expiry: OnlineExpiry;
  now: number;
  newSnapshot: boolean;
  createdBy: string;
}): Promise<OnlineDocuments> {
  return sign(options);
}

/** The role files (`targets`, `auth.releases`, ...) a snapshot lists: every role but root and the online ones. */
export function listedRoles(current: Record<string, TufMeta>): TufMeta[] {
  return Object.values(current).filter((meta) => !ONLINE_OR_ROOT.has(meta.role));
}

/** `expires` as TUF writes it: `YYYY-MM-DDTHH:MM:SSZ`. */
export function expiresAt(now: number, seconds: number): string {
  return `${new Date(now + seconds * 1000).toISOString().slice(0, 19)}Z`;
}

// --- internal ---

const ONLINE_OR_ROOT = new Set(['root', 'snapshot', 'timestamp']);

async function sign(options: Parameters<typeof signOnline>[0]): Promise<OnlineDocuments> {
  const { head, root, signer, expiry, now, createdBy } = options;
  const current = { ...head.current };
  for (const row of options.changed) current[row.role] = metaOf(row);
  let snapshot: TufMetadataRow | undefined;
  let snapshotMeta = current.snapshot;
  if (options.newSnapshot || !snapshotMeta) {
    const meta = Object.fromEntries(
      listedRoles(current)
        .sort((a, b) => (a.role < b.role ? -1 : 1))
        .map((role) => [`${role.role}.json`, { version: role.version, length: role.length, hashes: { sha256: role.sha256 } }]),
    );
    const signed: SnapshotSigned = {
      _type: 'snapshot',
      spec_version: SPEC_VERSION,
      version: head.snapshot + 1,
      expires: expiresAt(now, expiry.snapshotSeconds),
      meta,
    };
    snapshot = await signedRow('snapshot', { signed, signatures: [] }, signer.signersFor(root, 'snapshot'), now, createdBy);
    snapshotMeta = metaOf(snapshot);
  }
  const timestamp: TimestampSigned = {
    _type: 'timestamp',
    spec_version: SPEC_VERSION,
    version: head.timestamp + 1,
    expires: expiresAt(now, expiry.timestampSeconds),
    meta: { 'snapshot.json': { version: snapshotMeta.version, length: snapshotMeta.length, hashes: { sha256: snapshotMeta.sha256 } } },
  };
  return {
    ...(snapshot && { snapshot }),
    timestamp: await signedRow('timestamp', { signed: timestamp, signatures: [] }, signer.signersFor(root, 'timestamp'), now, createdBy),
  };
}

async function signedRow<T extends { version: number; expires: string }>(
  role: string,
  draft: Envelope<T>,
  signers: ReturnType<OnlineSigner['signersFor']>,
  now: number,
  createdBy: string,
): Promise<TufMetadataRow> {
  let envelope = draft;
  for (const key of signers) envelope = await addSignature(envelope, key, [key.keyid]);
  return rowOf(role, documentBytes(envelope), draft.signed, now, createdBy);
}

/** A metadata row for a document's stored bytes. */
export function rowOf(role: string, bytes: Uint8Array, signed: { version: number; expires: string }, now: number, createdBy: string): TufMetadataRow {
  return {
    role,
    version: signed.version,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    length: bytes.length,
    expires: signed.expires,
    createdAt: new Date(now).toISOString(),
    createdBy,
  };
}

function metaOf(row: TufMetadataRow): TufMeta {
  const { bytes: _bytes, ...meta } = row;
  return meta;
}
