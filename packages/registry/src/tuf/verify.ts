import { canonicalJson, ModmeshError } from '@modmesh/manifest';
import {
  type CryptoPort,
  type Cycle,
  createTrustedSet,
  documentBytes,
  type Envelope,
  type TrustedRoot,
  type TufKey,
  updateRole,
  updateSnapshot,
  updateTargets,
  updateTimestamp,
} from '@modmesh/trust';

/** A state the registry is about to serve: the documents hosts would fetch, as bytes. */
export interface Candidate {
  root: TrustedRoot;
  timestamp: Uint8Array;
  snapshot: Uint8Array;
  /** Needed when `roles` are checked, or targets is what changed. */
  targets?: Uint8Array;
  /** Remote roles to check (`auth.releases`...), by name. */
  roles?: Record<string, Uint8Array>;
}

/**
 * Verifies a candidate state with the very steps hosts run (U4–U7 of @modmesh/trust), so the
 * registry never serves what a host would refuse: signatures and thresholds under the root and
 * targets, shapes, versions as the snapshot signs them, tag statements (T1). Expiry is left to
 * the caller (an expired targets must not stop a timestamp renewal). Returns the verified cycle.
 */
export async function verifyCandidate(candidate: Candidate, crypto: CryptoPort): Promise<Cycle> {
  const set = createTrustedSet(candidate.root);
  let cycle: Cycle = { ...set, base: set, now: undefined, onlineKeysRotated: false };
  cycle = await updateTimestamp(cycle, candidate.timestamp, crypto);
  cycle = await updateSnapshot(cycle, candidate.snapshot, crypto);
  if (candidate.targets) cycle = await updateTargets(cycle, candidate.targets, crypto);
  for (const [role, bytes] of Object.entries(candidate.roles ?? {})) cycle = await updateRole(cycle, role, bytes, crypto);
  return cycle;
}

/** Largest role document the registry takes (design 16 §2.7: about 25,000 releases). */
export const ROLE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * A document as uploaded (a JSON value), as the bytes it will be stored and served as: its
 * canonical JSON. Anything that is not a TUF envelope with a version and an expiry, or that
 * canonical JSON cannot represent, is MODMESH_META_INVALID; over `maxBytes` is MODMESH_BODY_TOO_LARGE.
 */
export function uploadedDocument(
  role: string,
  value: unknown,
  maxBytes = ROLE_MAX_BYTES,
): { bytes: Uint8Array; envelope: Envelope<Record<string, unknown>>; version: number; expires: string } {
  const envelope = value as Envelope<Record<string, unknown>> | null;
  const signed = envelope?.signed;
  if (!envelope || typeof envelope !== 'object' || !signed || typeof signed !== 'object' || !Array.isArray(envelope.signatures)) {
    throw new ModmeshError('MODMESH_META_INVALID', `the ${role} document is not a TUF envelope { signed, signatures }`);
  }
  const { version, expires } = signed as { version?: unknown; expires?: unknown };
  if (!Number.isSafeInteger(version) || (version as number) < 1 || typeof expires !== 'string') {
    throw new ModmeshError('MODMESH_META_INVALID', `the ${role} document has no signed version (a whole number from 1) and expires`);
  }
  let bytes: Uint8Array;
  try {
    bytes = documentBytes(envelope);
  } catch (cause) {
    throw new ModmeshError('MODMESH_META_INVALID', `the ${role} document cannot be written as canonical JSON: ${(cause as Error).message}`, { cause });
  }
  if (bytes.length > maxBytes) {
    throw new ModmeshError('MODMESH_BODY_TOO_LARGE', `the ${role} document is ${bytes.length} bytes, over the ${maxBytes} the registry takes`);
  }
  return { bytes, envelope, version: version as number, expires };
}

/** MODMESH_META_EXPIRED when an uploaded document has already expired: no host would take it. */
export function requireNotExpired(role: string, version: number, expires: string, now: number): void {
  const at = Date.parse(expires);
  if (!Number.isFinite(at) || at <= now) {
    throw new ModmeshError('MODMESH_META_EXPIRED', `${role}.json v${version} expires at ${expires}, which has passed`, {
      file: `${version}.${role}.json`,
      hint: 'Sign it again with a later expiry (the CLI gives 365 days by default).',
    });
  }
}

/** The keyids among `keyids` whose signatures on `envelope` verify: who signed it, for the audit log. */
export async function signersOf(envelope: Envelope<unknown>, keys: Record<string, TufKey>, keyids: readonly string[], crypto: CryptoPort): Promise<string[]> {
  const message = new TextEncoder().encode(canonicalJson(envelope.signed));
  const good: string[] = [];
  for (const { keyid, sig } of envelope.signatures) {
    const key = keyids.includes(keyid) ? keys[keyid] : undefined;
    if (!key || !/^[0-9a-f]{128}$/.test(sig)) continue;
    if (await crypto.verifyEd25519(Buffer.from(key.keyval.public, 'hex'), message, Buffer.from(sig, 'hex'))) good.push(keyid);
  }
  return good;
}
