import { type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { ModmeshError } from './errors.js';
import { keyIdOf, parsePrivateKey } from './keys.js';
import { isSafeReleasePath, type ReleaseManifest, releaseManifestSchema } from './schema.js';

/** A release manifest with its publisher's signature: what the registry stores and serves. */
export interface SignedRelease {
  manifest: ReleaseManifest;
  signature: ReleaseSignature;
}

export interface ReleaseSignature {
  algorithm: 'ed25519';
  keyId: string;
  /** base64 of the 64-byte Ed25519 signature over `signingInput(manifest)`. */
  value: string;
}

// Domain separation: these bytes can never be mistaken for a signature over anything else
// modmesh (or anyone) signs with the same key.
const SIGNING_CONTEXT = 'modmesh-release-signature-v1\n';

/** The exact bytes a release signature covers. */
export function signingInput(manifest: unknown): Buffer {
  return Buffer.from(SIGNING_CONTEXT + canonicalJson(manifest), 'utf8');
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
  const envelope = input as { manifest?: unknown; signature?: Partial<ReleaseSignature> } | null;
  const manifest = envelope?.manifest;
  const subject = subjectOf(manifest);
  const signature = envelope?.signature;
  if (!manifest || typeof manifest !== 'object') throw new ModmeshError('MODMESH_MANIFEST_INVALID', 'not a signed release: no manifest', subject);
  if (signature?.algorithm !== 'ed25519' || typeof signature.keyId !== 'string' || typeof signature.value !== 'string') {
    throw new ModmeshError('MODMESH_SIGNATURE_MISSING', `${label(subject)}: no Ed25519 signature`, subject);
  }
  const key = options.trusted.get(signature.keyId);
  if (!key) {
    throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `${label(subject)}: signed by key ${signature.keyId}, which is not trusted for this remote`, subject);
  }
  let bytes: Buffer;
  try {
    bytes = signingInput(manifest);
  } catch (cause) {
    throw new ModmeshError('MODMESH_MANIFEST_INVALID', `${label(subject)}: ${(cause as Error).message}`, { ...subject, cause });
  }
  const value = Buffer.from(signature.value, 'base64');
  if (value.length !== 64 || !verify(null, bytes, key, value)) {
    throw new ModmeshError('MODMESH_SIGNATURE_INVALID', `${label(subject)}: the signature by key ${signature.keyId} does not match the manifest`, subject);
  }
  const checked = parseReleaseManifest(manifest);
  if (options.expect && (checked.name !== options.expect.name || (options.expect.version && checked.version !== options.expect.version))) {
    throw new ModmeshError(
      'MODMESH_MANIFEST_MISMATCH',
      `asked for ${options.expect.name}@${options.expect.version ?? '*'}, got a validly signed manifest for ${checked.name}@${checked.version}`,
      subject,
    );
  }
  return checked;
}

/** Checks a manifest against the schema; a `MODMESH_MANIFEST_INVALID` lists every problem. */
export function parseReleaseManifest(input: unknown): ReleaseManifest {
  const unsafe = unsafePaths(input);
  if (unsafe.length > 0) {
    throw new ModmeshError('MODMESH_UNSAFE_PATH', `release paths that could escape the release: ${unsafe.map((path) => JSON.stringify(path)).join(', ')}`, {
      ...subjectOf(input),
      file: unsafe[0],
    });
  }
  const result = releaseManifestSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(manifest)'}: ${issue.message}`);
  throw new ModmeshError('MODMESH_MANIFEST_INVALID', `invalid release manifest: ${problems.join('; ')}`, subjectOf(input));
}

// --- internal ---

function subjectOf(input: unknown): { remote: string | undefined; version: string | undefined } {
  const manifest = input as { name?: unknown; version?: unknown } | null | undefined;
  return {
    remote: typeof manifest?.name === 'string' ? manifest.name : undefined,
    version: typeof manifest?.version === 'string' ? manifest.version : undefined,
  };
}

// Every string a manifest uses as a path inside the release that is not a safe relative path.
function unsafePaths(input: unknown): string[] {
  const manifest = input as { files?: unknown; containers?: unknown } | null;
  const paths: unknown[] = [];
  if (Array.isArray(manifest?.files)) paths.push(...manifest.files.map((file) => (file as { path?: unknown } | null)?.path));
  if (Array.isArray(manifest?.containers)) {
    for (const container of manifest.containers as { entry?: unknown; exposes?: { files?: unknown }[] }[]) {
      paths.push(container?.entry);
      if (Array.isArray(container?.exposes)) for (const expose of container.exposes) if (Array.isArray(expose?.files)) paths.push(...expose.files);
    }
  }
  return paths.filter((path): path is string => typeof path === 'string' && !isSafeReleasePath(path));
}

function label(subject: { remote?: string | undefined; version?: string | undefined }): string {
  return `${subject.remote ?? '?'}@${subject.version ?? '?'}`;
}
