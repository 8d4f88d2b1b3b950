export { backoffMs } from './backoff.js';
export { apiPath, createRegistryClient, type RegistryClient, type RegistryClientOptions, registryOrigin } from './client.js';
export { type EventStream, type EventStreamOptions, openEventStream } from './events.js';
export { createFetchTransport } from './fetch-transport.js';
export { rollbackTarget } from './rollback.js';
export {
  ACCEPT,
  CONTENT_TYPES,
  codedErrorOf,
  DEFAULT_DEADLINES,
  type Deadlines,
  type Exchange,
  type ExpectedKind,
  parseJson,
  type ReceiveOptions,
  readErrorAnswer,
  receive,
  type Transport,
  type TransportRequest,
} from './transport.js';
export type * from './types.js';
export { TUF_METADATA_PATH, TUF_TARGETS_PATH, UPLOAD_KEY_HEADER } from './types.js';
