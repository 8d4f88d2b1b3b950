// What a failed load or swap says, shared by Node and browser hosts.
import type { ErrorCode } from '@modmesh/manifest/web';

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
  'MODMESH_REMOTE_EVALUATION_FAILED',
  'MODMESH_CHUNK_NOT_IN_RELEASE',
  'MODMESH_CONTAINER_NAME_CLASH',
  'MODMESH_EXPOSE_NOT_FOUND',
  'MODMESH_SHARED_VERSION_CONFLICT',
  'MODMESH_SWAP_REFUSED',
  'MODMESH_SRI_UNSUPPORTED',
]);

// Exponential backoff with jitter, from a quarter second to ten seconds.
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

/** How long to wait before attempt `attempt` (1, 2, ...) after failures. */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 16));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
