// Reading one signed TUF document from its bytes, and the checks every role shares: the text
// rules, the length and hash its parent signed, the signature threshold, the schema, expiry.
import { type ErrorCode, ModmeshError } from '@modmesh/manifest/web';
import type * as z from 'zod/mini';
import type { CryptoPort } from './crypto.js';
import { rawKeyOf } from './keys.js';
import type { MetaFile, RoleKeys, TufKey } from './schema.js';
import { parseRoleName } from './schema-targets.js';
import { canonicalText, decodeUtf8, fromHex, parseExpires, toHex, utf8 } from './text.js';

export interface Signature {
  keyid: string;
  sig: string;
}

/** A TUF document as written: `{ signed, signatures }`. */
export interface Envelope<T = unknown> {
  signed: T;
  signatures: Signature[];
}

/** A document as received: its exact text, what it hashes to, and the bytes its signatures cover. */
export interface ReadDocument {
  readonly role: string;
  readonly text: string;
  readonly length: number;
  readonly sha256: string;
  readonly signed: Record<string, unknown>;
  readonly signatures: readonly Signature[];
  readonly canonical: Uint8Array;
}

/** A document that passed every check of its role; `signed` is shaped by the role's schema. */
export interface TrustedDocument<T> extends ReadDocument {
  readonly signed: T & Record<string, unknown>;
  /** The version of the document whose keys verified it: root for top-level roles, targets for a remote's. */
  readonly verifiedUnder: number;
}

const SIGNATURE_HEX = /^[0-9a-f]{128}$/;

/** Parses bytes as a signed document of `role`; anything unreadable is `code` (META_INVALID unless the caller says). */
export async function readDocument(role: string, bytes: Uint8Array, crypto: CryptoPort, code: ErrorCode = 'MODMESH_META_INVALID'): Promise<ReadDocument> {
  const refuse = (why: string) => trustError(code, role, undefined, why);
  const text = decodeUtf8(bytes);
  if (text === undefined) throw refuse('is not UTF-8');
  let parsed: { signed?: unknown; signatures?: unknown } | null;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw refuse(`is not JSON (${(cause as Error).message})`);
  }
  const signed = parsed?.signed;
  if (!isPlainObject(signed) || !Array.isArray(parsed?.signatures)) throw refuse('is not a TUF envelope { signed, signatures }');
  const signatures: Signature[] = [];
  for (const [index, item] of parsed.signatures.entries()) {
    const { keyid, sig } = (item ?? {}) as Partial<Signature>;
    if (typeof keyid !== 'string' || typeof sig !== 'string' || !SIGNATURE_HEX.test(sig))
      throw refuse(`signatures[${index}] is not { keyid, sig: <128 lowercase hex> }`);
    if (signatures.some((other) => other.keyid === keyid)) throw refuse(`signatures list key ${keyid} twice`);
    signatures.push({ keyid, sig });
  }
  const canonical = canonicalText(signed);
  if ('violation' in canonical) throw refuse(`breaks the text rules at ${canonical.violation.at.replace(/^\$/, 'signed')}: ${canonical.violation.reason}`);
  return { role, text, length: bytes.length, sha256: toHex(await crypto.sha256(bytes)), signed, signatures, canonical: utf8(canonical.text) };
}

/** The length and SHA-256 a parent signed for this document, when it signed them. */
export function checkMeta(document: ReadDocument, meta: MetaFile, parent: string): void {
  if (meta.length !== undefined && meta.length !== document.length) {
    throw trustError('MODMESH_META_MISMATCH', document.role, meta.version, `is ${document.length} bytes, but ${parent} signed ${meta.length}`);
  }
  if (meta.hashes && meta.hashes.sha256 !== document.sha256) {
    throw trustError('MODMESH_META_MISMATCH', document.role, meta.version, `has SHA-256 ${document.sha256}, but ${parent} signed ${meta.hashes.sha256}`);
  }
}

/**
 * How many keys of `role` signed the document: signatures by keys outside the role are ignored,
 * a signature that does not verify does not count, and each key counts once (duplicate keyids
 * were refused when reading).
 */
export async function countSignatures(document: ReadDocument, keys: Record<string, TufKey>, role: RoleKeys, crypto: CryptoPort): Promise<number> {
  let good = 0;
  for (const signature of document.signatures) {
    const key = role.keyids.includes(signature.keyid) ? keys[signature.keyid] : undefined;
    if (key && (await crypto.verifyEd25519(rawKeyOf(key), document.canonical, fromHex(signature.sig) as Uint8Array))) good += 1;
  }
  return good;
}

/** `MODMESH_META_SIGNATURE` (or `code`) unless a threshold of `role`'s keys signed the document. */
export async function requireThreshold(
  document: ReadDocument,
  keys: Record<string, TufKey>,
  role: RoleKeys,
  crypto: CryptoPort,
  whose: string,
  code: ErrorCode = 'MODMESH_META_SIGNATURE',
): Promise<void> {
  const good = await countSignatures(document, keys, role, crypto);
  if (good < role.threshold) {
    throw trustError(code, document.role, versionOf(document), `is signed by ${good} of the ${role.threshold} keys of ${whose} needed`);
  }
}

/** The document's `signed`, shaped by its role's schema; every problem is listed in a `META_INVALID` (or `code`). */
export function shapeOf<S extends z.ZodMiniType>(document: ReadDocument, schema: S, code: ErrorCode = 'MODMESH_META_INVALID'): z.infer<S> {
  const result = schema.safeParse(document.signed);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `signed.${issue.path.join('.')}: ${issue.message}`);
  throw trustError(code, document.role, versionOf(document), `is not a valid ${document.role} document: ${problems.join('; ')}`);
}

/** `MODMESH_META_EXPIRED` when the document expired at `now` (ms). */
export function requireUnexpired(document: { role: string; signed: { version: number; expires: string } }, now: number): void {
  if ((parseExpires(document.signed.expires) as number) <= now) {
    throw trustError('MODMESH_META_EXPIRED', document.role, document.signed.version, `expired at ${document.signed.expires}`);
  }
}

/** The file a role's document is fetched as: `timestamp.json`, or `<version>.<role>.json`. */
export function fileName(role: string, version?: number): string {
  return version === undefined ? `${role}.json` : `${version}.${role}.json`;
}

/** A coded error about one document, named as `auth.tags.json v9`, with the remote when the role is one of its. */
export function trustError(code: ErrorCode, role: string, version: number | undefined, what: string, cause?: unknown): ModmeshError {
  const remote = parseRoleName(role)?.remote;
  const name = `${role}.json${version === undefined ? '' : ` v${version}`}`;
  const file = role === 'timestamp' ? fileName(role) : fileName(role, version);
  return new ModmeshError(code, `${name} ${what}`, { file, ...(remote && { remote }), ...(cause !== undefined && { cause }) });
}

// --- internal ---

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function versionOf(document: ReadDocument): number | undefined {
  const version = document.signed.version;
  return Number.isSafeInteger(version) ? (version as number) : undefined;
}
