import { canonicalJson, ModmeshError } from '@modmesh/manifest/web';
import type { CryptoPort } from './crypto.js';
import type { TufKey } from './schema.js';
import { fromHex, toHex, utf8 } from './text.js';

const COMPACT_PREFIX = 'ed25519:';
// Targets names two keys per remote and is checked whole on every change and at every boot;
// the hash of a key's canonical text never changes, so it is remembered (bounded).
const KEYIDS_KEPT = 1024;
const keyids = new Map<string, string>();

/** The TUF keyid of a key: the hex SHA-256 of its canonical JSON (TUF says MUST; we check it). */
export async function keyIdOf(key: TufKey, crypto: CryptoPort): Promise<string> {
  const text = canonicalJson(key);
  const known = keyids.get(text);
  if (known) return known;
  const keyid = toHex(await crypto.sha256(utf8(text)));
  if (keyids.size >= KEYIDS_KEPT) keyids.clear();
  keyids.set(text, keyid);
  return keyid;
}

/** The TUF form of a raw 32-byte Ed25519 public key. */
export function tufKeyOf(raw: Uint8Array): TufKey {
  if (raw.length !== 32) throw new ModmeshError('MODMESH_KEY_INVALID', `an Ed25519 public key has 32 bytes, not ${raw.length}`);
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: toHex(raw) } };
}

/** Reads `ed25519:<base64url>` (the compact form in modmesh config and `modmesh keys generate`) as a TUF key. */
export function tufKeyFromCompact(text: string): TufKey {
  const trimmed = text.trim();
  const body = trimmed.startsWith(COMPACT_PREFIX) ? trimmed.slice(COMPACT_PREFIX.length) : undefined;
  if (body === undefined || !/^[A-Za-z0-9_-]{43}$/.test(body)) {
    throw new ModmeshError('MODMESH_KEY_INVALID', `not an Ed25519 public key in the compact form ed25519:<base64url>: ${trimmed.slice(0, 60)}`);
  }
  const binary = atob(body.replace(/-/g, '+').replace(/_/g, '/').concat('='));
  return tufKeyOf(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

/** The compact `ed25519:<base64url>` form of a TUF key, as config files and the CLI print it. */
export function compactOf(key: TufKey): string {
  const raw = rawKeyOf(key);
  return (
    COMPACT_PREFIX +
    btoa(String.fromCharCode(...raw))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
  );
}

/** The raw 32 bytes of a (schema-checked) TUF key. */
export function rawKeyOf(key: TufKey): Uint8Array<ArrayBuffer> {
  return fromHex(key.keyval.public) as Uint8Array<ArrayBuffer>;
}

/** The first keyid in `keys` that is not the SHA-256 of the key it names; undefined when all are right. */
export async function wrongKeyId(keys: Record<string, TufKey>, crypto: CryptoPort): Promise<string | undefined> {
  for (const [keyid, key] of Object.entries(keys)) {
    if ((await keyIdOf(key, crypto)) !== keyid) return keyid;
  }
  return undefined;
}
