// The Node side: a crypto port on node:crypto, and signing with a private key file's key.
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { formatPublicKey, parsePrivateKey } from '@modmesh/manifest';
import type { CryptoPort } from './crypto.js';
import { keyIdOf, tufKeyFromCompact } from './keys.js';
import type { TufKey } from './schema.js';
import type { Signer } from './sign.js';

// The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// Building a KeyObject costs more than verifying with it; hosts verify with the same few keys.
const KEY_OBJECTS_KEPT = 256;

/** A crypto port on node:crypto. */
export function createNodeCrypto(): CryptoPort {
  const keyObjects = new Map<string, KeyObject>();
  function keyObject(raw: Uint8Array): KeyObject {
    const id = Buffer.from(raw).toString('hex');
    let key = keyObjects.get(id);
    if (!key) {
      if (keyObjects.size >= KEY_OBJECTS_KEPT) keyObjects.clear();
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
      keyObjects.set(id, key);
    }
    return key;
  }
  return {
    async sha256(bytes) {
      return createHash('sha256').update(bytes).digest();
    },
    async verifyEd25519(publicKey, message, signature) {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      try {
        return verify(null, message, keyObject(publicKey), signature);
      } catch {
        return false;
      }
    },
  };
}

/**
 * The TUF key of an Ed25519 public key: `ed25519:<base64url>`, an SPKI PEM, or a KeyObject (a
 * private KeyObject gives its public half; private key text is refused, so it is never shown).
 */
export function tufKeyOfPublicKey(key: string | KeyObject): TufKey {
  return tufKeyFromCompact(formatPublicKey(key));
}

/** A signer for a PKCS#8 PEM private key (as `modmesh keys generate` writes) or a KeyObject. */
export async function createNodeSigner(privateKey: string | KeyObject): Promise<Signer> {
  const key = typeof privateKey === 'string' ? parsePrivateKey(privateKey) : privateKey;
  const tufKey = tufKeyOfPublicKey(key);
  return {
    keyid: await keyIdOf(tufKey, createNodeCrypto()),
    key: tufKey,
    async sign(message) {
      return sign(null, message, key);
    },
  };
}
