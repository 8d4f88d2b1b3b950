// The browser entry of @modmesh/manifest: release verification with WebCrypto, and nothing that
// needs Node or the schema library. Browsers refuse exactly what Node hosts refuse (envelope.ts
// is shared).
import { fromBase64, toBase64Url } from './base64.js';
import { acceptSigned, badSignature, readEnvelope, signingText, untrustedKey } from './envelope.js';
import { ModmeshError } from './errors.js';
import type { ReleaseManifest } from './schema.js';

export { canonicalJson } from './canonical.js';
export { ERROR_CATALOGUE, type ErrorCode } from './catalogue.js';
export { parseReleaseManifest, type ReleaseSignature, type SignedRelease } from './envelope.js';
export { type ErrorSubject, isModmeshError, ModmeshError, type ModmeshErrorJson, type ModmeshErrorOptions } from './errors.js';
export { type ReleaseCryptoPort, type ThresholdVerifyOptions, verifyReleaseThreshold } from './release-threshold.js';
export { REMOTE_NAME, specKindOf, TAG_NAME } from './rules.js';
export type { ContainerInfo, FileEntry, ReleaseManifest, SharedEntry } from './schema.js';

/** Public keys trusted for one remote, by key id, imported for WebCrypto. */
export type WebTrustedKeys = ReadonlyMap<string, WebCryptoKey>;

type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const PUBLIC_KEY_PREFIX = 'ed25519:';
const ED25519 = { name: 'Ed25519' } as const;

/**
 * Imports `ed25519:<base64url>` public keys (the compact form `modmesh keys generate` prints)
 * for `verifyReleaseWeb`. Anything else is a `MODMESH_KEY_INVALID`.
 */
export async function importTrustedKeys(keys: readonly string[]): Promise<WebTrustedKeys> {
  const trusted = new Map<string, WebCryptoKey>();
  for (const text of keys) {
    const trimmed = text.trim();
    const raw = trimmed.startsWith(PUBLIC_KEY_PREFIX) ? fromBase64(trimmed.slice(PUBLIC_KEY_PREFIX.length)) : undefined;
    if (raw?.length !== 32) {
      throw new ModmeshError('MODMESH_KEY_INVALID', `not an Ed25519 public key in the compact form ed25519:<base64url>: ${trimmed.slice(0, 40)}`);
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
    trusted.set(toBase64Url(digest).slice(0, 16), await crypto.subtle.importKey('raw', raw, ED25519, false, ['verify']));
  }
  return trusted;
}

/**
 * `verifyRelease` for browsers: the signature first, over the canonical form of the manifest
 * exactly as received, by a key trusted for the remote; then the schema and the expected name.
 */
export async function verifyReleaseWeb(
  input: unknown,
  options: { trusted: WebTrustedKeys; expect?: { name: string; version?: string } },
): Promise<ReleaseManifest> {
  const envelope = readEnvelope(input);
  const key = options.trusted.get(envelope.signature.keyId);
  if (!key) throw untrustedKey(envelope);
  const bytes = new TextEncoder().encode(signingText(envelope.manifest, envelope.subject));
  const value = fromBase64(envelope.signature.value);
  if (value?.length !== 64 || !(await crypto.subtle.verify(ED25519, key, value, bytes))) throw badSignature(envelope);
  return acceptSigned(envelope, options.expect);
}

/** `sha256-<base64>` for a hex SHA-256: the Subresource Integrity form of a manifest's hash. */
export function integrityOf(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new ModmeshError('MODMESH_MANIFEST_INVALID', `not a SHA-256: ${sha256Hex.slice(0, 80)}`);
  const bytes = new Uint8Array(32);
  for (let index = 0; index < 32; index += 1) bytes[index] = Number.parseInt(sha256Hex.slice(index * 2, index * 2 + 2), 16);
  return `sha256-${btoa(String.fromCharCode(...bytes))}`;
}
