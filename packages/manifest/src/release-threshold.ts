// Release verification against a set of publisher keys with a threshold, through a crypto port:
// what a host in root mode runs (design 16, rule R1), in Node and in browsers alike. The envelope
// carries `signature` (one publisher, today's form) and/or `signatures` (a threshold above 1).
import { fromBase64, toBase64Url } from './base64.js';
import { acceptSigned, badSignature, type Envelope, type ReleaseSignature, type Subject, signingText, subjectOf, untrustedKey } from './envelope.js';
import { ModmeshError } from './errors.js';
import type { ReleaseManifest } from './schema.js';

/** SHA-256 and Ed25519 verification (WebCrypto or node:crypto). */
export interface ReleaseCryptoPort {
  sha256(bytes: Uint8Array): Promise<Uint8Array>;
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export interface ThresholdVerifyOptions {
  /** The raw 32-byte Ed25519 public keys that may sign (the remote's publishers). */
  keys: readonly Uint8Array[];
  /** How many distinct keys of `keys` must have signed. */
  threshold: number;
  crypto: ReleaseCryptoPort;
  /** When given, the manifest must be for this remote (and version). */
  expect?: { name: string; version?: string };
}

/**
 * Checks a signed release as received against publisher keys: each key counts once, signatures
 * by other keys are ignored, a signature by one of the keys that does not verify is
 * `MODMESH_SIGNATURE_INVALID` (the manifest was altered), fewer than `threshold` good ones is
 * `MODMESH_KEY_NOT_TRUSTED`. Only then the schema and the expected name and version.
 */
export async function verifyReleaseThreshold(input: unknown, options: ThresholdVerifyOptions): Promise<ReleaseManifest> {
  const { manifest, signatures, subject } = readSignatures(input);
  const byId = new Map<string, Uint8Array>();
  for (const key of options.keys) byId.set(toBase64Url(await options.crypto.sha256(key)).slice(0, 16), key);
  const message = new TextEncoder().encode(signingText(manifest, subject));
  const good = new Set<string>();
  for (const signature of signatures) {
    const key = byId.get(signature.keyId);
    if (!key || good.has(signature.keyId)) continue;
    const value = fromBase64(signature.value);
    const envelope: Envelope = { manifest, signature, subject };
    if (value?.length !== 64 || !(await options.crypto.verifyEd25519(key, message, value))) throw badSignature(envelope);
    good.add(signature.keyId);
  }
  const first = signatures[0] as ReleaseSignature;
  if (good.size === 0) throw untrustedKey({ manifest, signature: first, subject });
  if (good.size < options.threshold) {
    throw new ModmeshError(
      'MODMESH_KEY_NOT_TRUSTED',
      `${subject.remote ?? '?'}@${subject.version ?? '?'}: signed by ${good.size} of the ${options.threshold} publisher keys needed`,
      { ...subject, hint: 'Collect the missing publisher signatures (`modmesh sign FILE --key`) before publishing.' },
    );
  }
  return acceptSigned({ manifest, signature: first, subject }, options.expect);
}

// --- internal ---

function readSignatures(input: unknown): { manifest: object; signatures: ReleaseSignature[]; subject: Subject } {
  const envelope = input as { manifest?: unknown; signature?: unknown; signatures?: unknown } | null;
  const manifest = envelope?.manifest;
  const subject = subjectOf(manifest);
  if (!manifest || typeof manifest !== 'object') throw new ModmeshError('MODMESH_MANIFEST_INVALID', 'not a signed release: no manifest', subject);
  const listed = [envelope.signature, ...(Array.isArray(envelope.signatures) ? envelope.signatures : [])].filter((item) => item !== undefined);
  const signatures = listed.filter(isSignature);
  if (signatures.length === 0 || signatures.length !== listed.length) {
    throw new ModmeshError('MODMESH_SIGNATURE_MISSING', `${subject.remote ?? '?'}@${subject.version ?? '?'}: no well-formed Ed25519 signature`, subject);
  }
  return { manifest, signatures, subject };
}

function isSignature(value: unknown): value is ReleaseSignature {
  const signature = value as Partial<ReleaseSignature> | null;
  return signature?.algorithm === 'ed25519' && typeof signature.keyId === 'string' && typeof signature.value === 'string';
}
