export { canonicalJson } from './canonical.js';
export { ERROR_CATALOGUE, type ErrorCode } from './catalogue.js';
export { type ErrorSubject, isModmeshError, ModmeshError, type ModmeshErrorJson, type ModmeshErrorOptions } from './errors.js';
export { formatPublicKey, generatePublisherKeyPair, keyIdOf, type PublisherKeyPair, parsePrivateKey, parsePublicKey } from './keys.js';
export { RELEASE_BUILD_INFO, RELEASE_TARGET_DIRS, RELEASE_TYPES, RELEASE_TYPES_INDEX } from './layout.js';
export { containersFromMfManifest } from './mf-manifest.js';
export { type ReleaseCryptoPort, type ThresholdVerifyOptions, verifyReleaseThreshold } from './release-threshold.js';
export {
  type BuildInfo,
  type ContainerInfo,
  type FileEntry,
  filesNotInRelease,
  isSafeReleasePath,
  MANIFEST_SCHEMA,
  type MissingFile,
  REMOTE_NAME,
  REMOTE_NAME_RULE,
  type ReleaseManifest,
  releaseManifestSchema,
  remoteNameSchema,
  type SharedEntry,
  specKindOf,
  TAG_NAME,
  tagNameSchema,
  versionSchema,
} from './schema.js';
export { parseReleaseManifest, type ReleaseSignature, type SignedRelease, signingInput, signRelease, type VerifyOptions, verifyRelease } from './signing.js';
