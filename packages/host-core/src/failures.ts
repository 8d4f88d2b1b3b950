// What a failed load or swap says, for Node hosts and pages alike.
import { type ErrorCode, isModmeshError, ModmeshError } from '@modmesh/manifest/web';

/** Failures that say the offered bytes are not what a trusted publisher signed. */
export const VERIFICATION_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'MODMESH_SIGNATURE_INVALID',
  'MODMESH_SIGNATURE_MISSING',
  'MODMESH_KEY_NOT_TRUSTED',
  'MODMESH_HASH_MISMATCH',
  'MODMESH_MANIFEST_MISMATCH',
  'MODMESH_MANIFEST_INVALID',
  'MODMESH_UNSAFE_PATH',
]);

/**
 * Failures that say the offered release itself is bad: it is refused once, not tried again until
 * the tag offers another. Any other failure (the registry down, slow, or answering garbage; a
 * proxy's error page; a cut body) says nothing about the release, so the update is retried with
 * backoff and the host picks the release up once the fault is over.
 */
export const BAD_RELEASE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ...VERIFICATION_CODES,
  'MODMESH_REPLAY_REFUSED',
  'MODMESH_REMOTE_EVALUATION_FAILED',
  'MODMESH_CHUNK_NOT_IN_RELEASE',
  'MODMESH_CONTAINER_NAME_CLASH',
  'MODMESH_EXPOSE_NOT_FOUND',
  'MODMESH_SHARED_VERSION_CONFLICT',
  'MODMESH_SWAP_REFUSED',
  'MODMESH_SRI_UNSUPPORTED',
]);

/** Any failure as a coded error: an uncoded one is a bug (MODMESH_INTERNAL), with its stack. */
export function coded(error: unknown): ModmeshError {
  return isModmeshError(error) ? error : new ModmeshError('MODMESH_INTERNAL', String((error as Error)?.stack ?? error), { cause: error });
}

/** The subject of a failure inside a release: the remote's name, its version and the module asked for. */
export interface FailureSubject {
  remote: string;
  version: string;
  /** The container's entry, for failures that are not about one module. */
  entry: string;
  expose?: string;
  /** The modules the release exposes, to name them when the one asked for is not among them. */
  exposes: readonly string[];
}

/**
 * A failure that came out of a remote's container or the Module Federation runtime (which throw
 * plain errors) as a modmesh code. The runtime's own codes (`RUNTIME-005`, `-006`: shared-module
 * negotiation) and the container's `get()` refusal are the only things read from its messages;
 * this is the one place that reads them.
 */
export function federationFailure(error: unknown, subject: FailureSubject): ModmeshError {
  if (isModmeshError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const about = { remote: subject.remote, version: subject.version, cause: error };
  const label = `${subject.remote}@${subject.version}`;
  if (MISSING_EXPOSE.test(message)) {
    return new ModmeshError(
      'MODMESH_EXPOSE_NOT_FOUND',
      `${label} does not expose ${subject.expose ?? 'that module'} (it exposes ${subject.exposes.join(', ') || 'nothing'})`,
      about,
    );
  }
  if (SHARE_NEGOTIATION.test(message)) return new ModmeshError('MODMESH_SHARED_VERSION_CONFLICT', `${label}: ${message}`, about);
  return new ModmeshError('MODMESH_REMOTE_EVALUATION_FAILED', `${label} (${subject.entry}): ${subject.expose ? `${subject.expose}: ` : ''}${message}`, about);
}

// --- internal ---

// What a container's get() throws for a module it does not have (webpack and rspack alike).
const MISSING_EXPOSE = /does not exist in container/;
// The federation runtime's codes for a shared module that could not be provided in a version
// the container accepts, and the singleton and version warnings it raises as errors.
const SHARE_NEGOTIATION = /RUNTIME-00[56]|[Ss]ingleton|requiredVersion|strictVersion|[Vv]ersion.*(satisf|mismatch)/;
