import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ModmeshError } from './errors.js';

/** A publisher's Ed25519 key pair, as text: a PKCS#8 PEM and the compact public key. */
export interface PublisherKeyPair {
  privateKeyPem: string;
  publicKey: string;
  keyId: string;
}

const PUBLIC_KEY_PREFIX = 'ed25519:';
// The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A new Ed25519 key pair for signing releases. */
export function generatePublisherKeyPair(): PublisherKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const compact = formatPublicKey(publicKey);
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: compact, keyId: keyIdOf(compact) };
}

/**
 * Reads an Ed25519 public key given as `ed25519:<base64url>` (the compact form modmesh prints)
 * or as an SPKI PEM. Anything else is a `MODMESH_KEY_INVALID`.
 */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  // createPublicKey would quietly derive the public half of a private key, and whoever passed
  // one would then publish their secret wherever the "public" text is shown.
  if (isPrivateKey(trimmed)) {
    throw new ModmeshError('MODMESH_KEY_INVALID', 'this is a private key; give the public key (the .pub file from `modmesh keys generate`)', {
      hint: 'Never share the .key file. The public key looks like ed25519:... or starts with -----BEGIN PUBLIC KEY-----.',
    });
  }
  let key: KeyObject;
  try {
    if (trimmed.startsWith(PUBLIC_KEY_PREFIX)) {
      const raw = Buffer.from(trimmed.slice(PUBLIC_KEY_PREFIX.length), 'base64url');
      if (raw.length !== 32) throw new Error(`${raw.length} bytes, expected 32`);
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
    } else {
      key = createPublicKey(trimmed);
    }
  } catch (cause) {
    throw new ModmeshError('MODMESH_KEY_INVALID', `not an Ed25519 public key: ${describe(trimmed)}`, { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ModmeshError('MODMESH_KEY_INVALID', `a ${key.asymmetricKeyType} key, not Ed25519: ${describe(trimmed)}`);
  }
  return key;
}

/** Reads an Ed25519 private key (PKCS#8 PEM). */
export function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new ModmeshError('MODMESH_KEY_INVALID', 'not a readable private key (expected an Ed25519 PKCS#8 PEM)', { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ModmeshError('MODMESH_KEY_INVALID', `a ${key.asymmetricKeyType} private key, not Ed25519`);
  return key;
}

/** The compact text form of a public key: `ed25519:<base64url of the raw 32 bytes>`. */
export function formatPublicKey(key: KeyObject | string): string {
  const object = typeof key === 'string' ? parsePublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  const der = object.export({ format: 'der', type: 'spki' });
  return PUBLIC_KEY_PREFIX + der.subarray(SPKI_ED25519_PREFIX.length).toString('base64url');
}

/** A short, stable id for a public key: the first 16 characters of its SHA-256, base64url. */
export function keyIdOf(key: KeyObject | string): string {
  const raw = Buffer.from(formatPublicKey(key).slice(PUBLIC_KEY_PREFIX.length), 'base64url');
  return createHash('sha256').update(raw).digest('base64url').slice(0, 16);
}

// --- internal ---

function isPrivateKey(text: string): boolean {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return true;
  try {
    createPrivateKey(text);
    return true;
  } catch {
    return false;
  }
}

function describe(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
