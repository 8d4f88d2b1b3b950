export { buildReleasesUpdate, buildSnapshot, buildTagsUpdate, buildTimestamp, type ReleasesUpdateOptions, type TagsUpdateOptions } from './build-roles.js';
export { type AddRemoteOptions, addRemote, draftRoot, draftTargets, type RootDraftOptions, type RootKeysOptions, removeKey, rotateRoot } from './build-root.js';
export { type CycleResult, commitCycle } from './commit.js';
export { type CryptoPort, createWebCrypto } from './crypto.js';
export {
  type Cycle,
  checkRootFresh,
  createTrustedSet,
  startCycle,
  TIMESTAMP_MAX_LIFETIME_SECONDS,
  type TrustedSet,
  updateRoot,
  updateSnapshot,
  updateTimestamp,
} from './cycle.js';
export type { Envelope, Signature, TrustedDocument } from './document.js';
export { compactOf, keyIdOf, tufKeyFromCompact, tufKeyOf } from './keys.js';
export { type PersistedTrustedSet, restoreTrustedSet, serializeTrustedSet } from './persist.js';
export {
  type MetadataFetch,
  roleFetches,
  rootFetch,
  snapshotFetch,
  TIMESTAMP_FETCH,
  TIMESTAMP_MAX_BYTES,
  targetsFetch,
  UNSIGNED_LENGTH_MAX_BYTES,
} from './plan.js';
export { type MetadataSource, type RunCycleOptions, runCycle } from './refresh.js';
export { checkReleaseUnchanged, desiredRelease, type ListedRelease, listedRelease, verifyReleaseDocument } from './releases.js';
export { updateRole, updateTargets } from './roles.js';
export { loadTrustedRoot, ROOT_MAX_BYTES, ROOT_WALK_MAX, type RootChain, type TrustedRoot, verifyRootChain, verifyRootUpdate } from './root.js';
export { type RootSigned, type SnapshotSigned, SPEC_VERSION, type TimestampSigned, type TufKey } from './schema.js';
export { type ReleasesSigned, releasePath, type TagState, type TagTarget, type TargetsSigned, tagPath } from './schema-targets.js';
export { addSignature, documentBytes, type Signer, signingKeyids } from './sign.js';
export { type Staleness, staleness, type TrustSummary, trustSummary } from './staleness.js';
export { checkTagListing, checkTagProgress, checkTagStatement, checkTagsUpdate, type SeenTagState, seenStateOf, type TagsSigned, tagStateOf } from './tags.js';
export { textViolation } from './text.js';
