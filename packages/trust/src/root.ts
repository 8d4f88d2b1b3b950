// The root of trust: the configured root (B1), one rotation step (U1), and the persisted chain
// re-verified at boot (B2). Expiry does not matter here (TUF 5.2 and 5.3); see `checkRootFresh`.
import type { ModmeshError } from '@modmesh/manifest/web';
import type { CryptoPort } from './crypto.js';
import { readDocument, requireThreshold, shapeOf, type TrustedDocument, trustError } from './document.js';
import { wrongKeyId } from './keys.js';
import { type RootSigned, rootSchema } from './schema.js';
import { decodeUtf8 } from './text.js';

export type TrustedRoot = TrustedDocument<RootSigned>;

/** Largest root document read (documented default; enough for about 250 keys). */
export const ROOT_MAX_BYTES = 64 * 1024;
/** Most new root versions one update cycle walks. */
export const ROOT_WALK_MAX = 64;

/**
 * B1: the configured root. It must be a valid TUF root whose keyids are the hashes of their keys,
 * signed by a threshold of its own root keys. Any failure is `MODMESH_ROOT_INVALID`.
 */
export async function loadTrustedRoot(bytes: Uint8Array, crypto: CryptoPort): Promise<TrustedRoot> {
  const code = 'MODMESH_ROOT_INVALID';
  if (bytes.length > ROOT_MAX_BYTES) throw trustError(code, 'root', undefined, `is ${bytes.length} bytes, more than the ${ROOT_MAX_BYTES} a root may have`);
  const document = await readDocument('root', bytes, crypto, code);
  const signed = shapeOf(document, rootSchema, code);
  const wrong = await wrongKeyId(signed.keys, crypto);
  if (wrong) throw trustError(code, 'root', signed.version, `names key ${wrong}, which is not the SHA-256 of that key`);
  await requireThreshold(document, signed.keys, signed.roles.root, crypto, `its own root role`, code);
  return Object.freeze({ ...document, signed, verifiedUnder: signed.version });
}

/**
 * U1, one step: root N+1 must be signed by a threshold of the trusted root's root keys and by a
 * threshold of its own, be valid, and be exactly version N+1. Anything else is
 * `MODMESH_ROOT_ROTATION_REFUSED`, and the trusted root stays.
 */
export async function verifyRootUpdate(trusted: TrustedRoot, bytes: Uint8Array, crypto: CryptoPort): Promise<TrustedRoot> {
  const code = 'MODMESH_ROOT_ROTATION_REFUSED';
  const next = trusted.signed.version + 1;
  if (bytes.length > ROOT_MAX_BYTES) throw trustError(code, 'root', next, `is ${bytes.length} bytes, more than the ${ROOT_MAX_BYTES} a root may have`);
  const document = await readDocument('root', bytes, crypto, code);
  await requireThreshold(document, trusted.signed.keys, trusted.signed.roles.root, crypto, `root v${trusted.signed.version} (the trusted root)`, code);
  const signed = shapeOf(document, rootSchema, code);
  if (signed.version !== next) throw trustError(code, 'root', signed.version, `is not the next version after the trusted v${trusted.signed.version}`);
  const wrong = await wrongKeyId(signed.keys, crypto);
  if (wrong) throw trustError(code, 'root', signed.version, `names key ${wrong}, which is not the SHA-256 of that key`);
  await requireThreshold(document, signed.keys, signed.roles.root, crypto, `its own root role`, code);
  return Object.freeze({ ...document, signed, verifiedUnder: signed.version });
}

export interface RootChain {
  /** The newest root reached by a valid chain from the configured one. */
  root: TrustedRoot;
  /** How many versions above the configured root were accepted. */
  accepted: number;
  /** Why the walk stopped early (the rest of the chain is not to be kept), if it did. */
  refused?: ModmeshError;
}

/**
 * B2: the persisted chain, re-verified because the cache is not trusted. `chain[0]` must be the
 * configured root's exact bytes (else the whole chain is refused), then each step by U1.
 */
export async function verifyRootChain(configured: TrustedRoot, chain: readonly Uint8Array[], crypto: CryptoPort): Promise<RootChain> {
  if (chain.length === 0) return { root: configured, accepted: 0 };
  if (decodeUtf8(chain[0] as Uint8Array) !== configured.text) {
    const refused = trustError(
      'MODMESH_ROOT_ROTATION_REFUSED',
      'root',
      configured.signed.version,
      'is not where the persisted root chain starts; the chain was discarded',
      'persisted',
    );
    return { root: configured, accepted: 0, refused };
  }
  let root = configured;
  for (const [index, bytes] of chain.slice(1).entries()) {
    try {
      root = await verifyRootUpdate(root, bytes, crypto);
    } catch (error) {
      return { root, accepted: index, refused: error as ModmeshError };
    }
  }
  return { root, accepted: chain.length - 1 };
}
