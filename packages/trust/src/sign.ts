// The signing side, platform-free: which keys may sign a document, adding one signature, and the
// bytes to store. The private key stays behind a `Signer` (`@modmesh/trust/node` has one).
import { canonicalJson, ModmeshError } from '@modmesh/manifest/web';
import type { Envelope } from './document.js';
import type { RootSigned, TufKey } from './schema.js';
import type { TargetsSigned } from './schema-targets.js';
import { canonicalText, toHex, utf8 } from './text.js';

/** One private key, able to sign bytes; `keyid` is its TUF keyid. */
export interface Signer {
  readonly keyid: string;
  readonly key: TufKey;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/**
 * The keyids whose signatures count for `role`'s document `signed`. A root counts its own root
 * keys and, for a rotation, those of `trust.root`, the root it follows (both thresholds are
 * needed); targets, snapshot and timestamp the keys `trust.root` names; a remote's role the keys
 * `trust.targets` delegates it to.
 */
export function signingKeyids(role: string, signed: unknown, trust: { root?: RootSigned; targets?: TargetsSigned }): string[] {
  if (role === 'root') return [...new Set([...(signed as RootSigned).roles.root.keyids, ...(trust.root?.roles.root.keyids ?? [])])];
  if (role === 'targets' || role === 'snapshot' || role === 'timestamp') {
    if (!trust.root) throw new ModmeshError('MODMESH_INTERNAL', `the keys for ${role} come from the root; none was given`);
    return [...trust.root.roles[role].keyids];
  }
  const delegation = trust.targets?.delegations?.roles.find((item) => item.name === role);
  if (!delegation) throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `targets delegates no role ${role}, so no key may sign it`);
  return [...delegation.keyids];
}

/**
 * Adds `signer`'s signature over the canonical form of `signed` (replacing an earlier one by the
 * same key). A key not in `allowed` is `MODMESH_KEY_NOT_TRUSTED`; text that breaks the §2.1
 * rules is `MODMESH_META_INVALID`, refused before anything is signed.
 */
export async function addSignature<T>(envelope: Envelope<T>, signer: Signer, allowed: readonly string[]): Promise<Envelope<T>> {
  const type = (envelope.signed as { _type?: unknown })._type;
  if (!allowed.includes(signer.keyid)) {
    throw new ModmeshError(
      'MODMESH_KEY_NOT_TRUSTED',
      `key ${signer.keyid} is not one of the ${allowed.length} keys that may sign this ${String(type)} document`,
      {
        hint: 'Sign with a key the role names (`modmesh root inspect FILE` lists them).',
      },
    );
  }
  const canonical = canonicalText(envelope.signed);
  if ('violation' in canonical) {
    throw new ModmeshError(
      'MODMESH_META_INVALID',
      `the ${String(type)} document breaks the text rules at ${canonical.violation.at}: ${canonical.violation.reason}; nothing was signed`,
    );
  }
  const sig = toHex(await signer.sign(utf8(canonical.text)));
  return { signed: envelope.signed, signatures: [...envelope.signatures.filter((item) => item.keyid !== signer.keyid), { keyid: signer.keyid, sig }] };
}

/** The bytes a document is stored and served as: its canonical JSON, UTF-8. */
export function documentBytes(envelope: Envelope<unknown>): Uint8Array {
  return utf8(canonicalJson(envelope));
}
