import { type KeyObject, sign, verify } from 'node:crypto';
import { acceptSigned, badSignature, parseReleaseManifest, readEnvelope, type SignedRelease, signingText, untrustedKey } from './envelope.js';
import { keyIdOf, parsePrivateKey } from './keys.js';
import type { ReleaseManifest } from './schema.js';

export { parseReleaseManifest, type ReleaseSignature, type SignedRelease } from './envelope.js';

/** The exact bytes a release signature covers. */
export function signingInput(manifest: unknown): Buffer {
  return Buffer.from(signingText(manifest), 'utf8');
}

/** Signs a manifest with a publisher's Ed25519 private key (a KeyObject or PKCS#8 PEM). */
export function signRelease(manifest: ReleaseManifest, privateKey: KeyObject | string): SignedRelease {
  const key = typeof privateKey === 'string' ? parsePrivateKey(privateKey) : privateKey;
  const checked = parseReleaseManifest(manifest);
  return {
    manifest: checked,
    signature: { algorithm: 'ed25519', keyId: keyIdOf(key), value: sign(null, signingInput(checked), key).toString('base64') },
  };
}

export interface VerifyOptions {
  /** The public keys trusted for this remote, by key id. */
  trusted: ReadonlyMap<string, KeyObject>;
  /** When given, the manifest must be for this remote (and version). */
  expect?: { name: string; version?: string };
}

/**
 * Checks a signed release as received (parsed JSON, nothing trusted yet): the signature first,
 * over the canonical form of the manifest exactly as sent, by a key trusted for the remote; only
 * then the schema. Returns the manifest, or throws a coded error and returns nothing usable.
 */
export function verifyRelease(input: unknown, options: VerifyOptions): ReleaseManifest {
  const envelope = readEnvelope(input);
  const key = options.trusted.get(envelope.signature.keyId);
  if (!key) throw untrustedKey(envelope);
  const bytes = Buffer.from(signingText(envelope.manifest, envelope.subject), 'utf8');
  const value = Buffer.from(envelope.signature.value, 'base64');
  if (value.length !== 64 || !verify(null, bytes, key, value)) throw badSignature(envelope);
  return acceptSigned(envelope, options.expect);
}
