export { createRegistryApp, type RegistryApp, type RegistryAppOptions, rollbackTarget } from './app.js';
export type { Consumer, ConsumerReport, ConsumerStore } from './consumers.js';
export { DEFAULT_RATE_LIMITS, type RateLimitOptions } from './rate-limit.js';
export { DEFAULT_DATA_DIR, type RunningRegistry, type StartRegistryOptions, startRegistry } from './server.js';
export { createFileBlobStore } from './storage/blobs.js';
export { isPostgresUrl, migrateStorage, openStorage, type RegistryStorage, redactUrl, type StorageOptions } from './storage/open.js';
export { createSqliteMetadataStore } from './storage/sqlite.js';
export type * from './storage/types.js';
export { EXPORT_FORMAT, exportRegistry, type ImportSummary, importRegistry, type TransferSummary } from './transfer.js';
