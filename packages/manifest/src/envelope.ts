// The parts of release verification that need no crypto library: reading the signed envelope,
// the exact bytes a signature covers, and the checks after the signature. Node (signing.ts) and
// browsers (web.ts) share them, so both refuse exactly the same inputs.
import { canonicalJson } from './canonical.js';
import { ModmeshError } from './errors.js';
import { releaseManifestIssues } from './generated/release-manifest-check.js';
import { isSafeReleasePath } from './rules.js';
import type { ReleaseManifest } from './schema.js';

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

export interface Subject {
  remote: string | undefined;
  version: string | undefined;
}

/** A signed release as received, shaped enough to check its signature; nothing trusted yet. */
export interface Envelope {
  manifest: object;
  signature: ReleaseSignature;
  subject: Subject;
}

// Domain separation: these bytes can never be mistaken for a signature over anything else
// modmesh (or anyone) signs with the same key.
const SIGNING_CONTEXT = 'modmesh-release-signature-v1\n';

/** The exact text a release signature covers (UTF-8 encoded). */
export function signingText(manifest: unknown, subject: Subject = subjectOf(manifest)): string {
  try {
    return SIGNING_CONTEXT + canonicalJson(manifest);
  } catch (cause) {
    throw new ModmeshError('MODMESH_MANIFEST_INVALID', `${label(subject)}: ${(cause as Error).message}`, { ...subject, cause });
  }
}

/** The manifest and signature of a received release, or a coded error. */
export function readEnvelope(input: unknown): Envelope {
  const envelope = input as { manifest?: unknown; signature?: Partial<ReleaseSignature> } | null;
  const manifest = envelope?.manifest;
  const subject = subjectOf(manifest);
  const signature = envelope?.signature;
  if (!manifest || typeof manifest !== 'object') throw new ModmeshError('MODMESH_MANIFEST_INVALID', 'not a signed release: no manifest', subject);
  if (signature?.algorithm !== 'ed25519' || typeof signature.keyId !== 'string' || typeof signature.value !== 'string') {
    throw new ModmeshError('MODMESH_SIGNATURE_MISSING', `${label(subject)}: no Ed25519 signature`, subject);
  }
  return { manifest, signature: { algorithm: 'ed25519', keyId: signature.keyId, value: signature.value }, subject };
}

export function untrustedKey(envelope: Envelope): ModmeshError {
  return new ModmeshError(
    'MODMESH_KEY_NOT_TRUSTED',
    `${label(envelope.subject)}: signed by key ${envelope.signature.keyId}, which is not trusted for this remote`,
    envelope.subject,
  );
}

export function badSignature(envelope: Envelope): ModmeshError {
  return new ModmeshError(
    'MODMESH_SIGNATURE_INVALID',
    `${label(envelope.subject)}: the signature by key ${envelope.signature.keyId} does not match the manifest`,
    envelope.subject,
  );
}

/** After a good signature: the schema, then that it is the release that was asked for. */
export function acceptSigned(envelope: Envelope, expect?: { name: string; version?: string }): ReleaseManifest {
  const checked = parseReleaseManifest(envelope.manifest);
  if (expect && (checked.name !== expect.name || (expect.version && checked.version !== expect.version))) {
    throw new ModmeshError(
      'MODMESH_MANIFEST_MISMATCH',
      `asked for ${expect.name}@${expect.version ?? '*'}, got a validly signed manifest for ${checked.name}@${checked.version}`,
      envelope.subject,
    );
  }
  return checked;
}

/**
 * Checks a manifest against the schema (in its compiled form: the same rules, without building
 * the schema at start-up); a `MODMESH_MANIFEST_INVALID` lists every problem. Returns the input,
 * which is then a manifest.
 */
export function parseReleaseManifest(input: unknown): ReleaseManifest {
  const unsafe = unsafePaths(input);
  if (unsafe.length > 0) {
    throw new ModmeshError('MODMESH_UNSAFE_PATH', `release paths that could escape the release: ${unsafe.map((path) => JSON.stringify(path)).join(', ')}`, {
      ...subjectOf(input),
      file: unsafe[0],
    });
  }
  const issues = releaseManifestIssues(input);
  if (issues.length === 0) return input as ReleaseManifest;
  const problems = issues.map((issue) => `${issue.path.join('.') || '(manifest)'}: ${issue.message}`);
  throw new ModmeshError('MODMESH_MANIFEST_INVALID', `invalid release manifest: ${problems.join('; ')}`, subjectOf(input));
}

/** The remote and version a manifest claims, before anything about it is checked. */
export function subjectOf(input: unknown): Subject {
  const manifest = input as { name?: unknown; version?: unknown } | null | undefined;
  return {
    remote: typeof manifest?.name === 'string' ? manifest.name : undefined,
    version: typeof manifest?.version === 'string' ? manifest.version : undefined,
  };
}

// --- internal ---

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

function label(subject: Subject): string {
  return `${subject.remote ?? '?'}@${subject.version ?? '?'}`;
}
