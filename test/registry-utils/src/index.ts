export { ANSWER_CHECKS, ERROR_CHECK, EVENT_CHECKS, expectAnswer, expectRefusal } from './answers.js';
export { type BlobStoreUnderTest, describeBlobStoreContract } from './blob-contract.js';
export { describeConsumerStoreContract } from './consumer-contract.js';
export {
  ADMIN_TOKEN,
  admin,
  bearer,
  createTestRegistry,
  publishFixture,
  type ReleaseFixture,
  releaseFixture,
  setUpPublisher,
  sha256,
  type TestRegistry,
  uploadFiles,
} from './fixtures.js';
export { buildRelease, greeterRelease, type LiveRegistry, startLiveRegistry } from './live-registry.js';
export { describeMetadataStoreContract, type MetadataStoreUnderTest } from './metadata-contract.js';
export { newRelease, sha256Hex, tagMove } from './records.js';
export { type Check, problemsOf } from './shapes.js';
export { createTrustFixture, type TrustFixture } from './trust-fixtures.js';
