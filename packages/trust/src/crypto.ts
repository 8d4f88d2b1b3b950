/**
 * What @modmesh/trust needs of a crypto library: SHA-256 and Ed25519 verification, both async so
 * WebCrypto fits. `createWebCrypto()` works in browsers and in Node 20+; `@modmesh/trust/node`
 * has a `node:crypto` one. Signing is not here: only the Node side signs.
 */
export interface CryptoPort {
  sha256(bytes: Uint8Array): Promise<Uint8Array>;
  /** True when `signature` (64 bytes) is `publicKey`'s (32 raw bytes) Ed25519 signature of `message`. */
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

type Subtle = typeof globalThis.crypto.subtle;
type WebCryptoKey = Awaited<ReturnType<Subtle['importKey']>>;

const ED25519 = { name: 'Ed25519' } as const;
// Importing a key costs about as much as a verification; a host verifies with the same few keys
// every cycle. Bounded, so a document naming thousands of keys cannot grow it without limit.
const IMPORTED_KEYS_KEPT = 256;

/** A crypto port on WebCrypto (`globalThis.crypto.subtle`): browsers, and Node 20+. */
export function createWebCrypto(subtle: Subtle = globalThis.crypto.subtle): CryptoPort {
  const imported = new Map<string, Promise<WebCryptoKey>>();
  function importKey(raw: Uint8Array): Promise<WebCryptoKey> {
    const id = String.fromCharCode(...raw);
    const known = imported.get(id);
    if (known) return known;
    if (imported.size >= IMPORTED_KEYS_KEPT) imported.clear();
    const key = subtle.importKey('raw', copy(raw), ED25519, false, ['verify']);
    imported.set(id, key);
    return key;
  }
  return {
    async sha256(bytes) {
      return new Uint8Array(await subtle.digest('SHA-256', copy(bytes)));
    },
    async verifyEd25519(publicKey, message, signature) {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      try {
        return await subtle.verify(ED25519, await importKey(publicKey), copy(signature), copy(message));
      } catch {
        // A malformed key (not a curve point) cannot have signed anything.
        return false;
      }
    },
  };
}

// --- internal ---

// WebCrypto's types want an ArrayBuffer-backed view; a fetched body may be a Node Buffer view.
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
