export { createRegistryApp, type RegistryApp, type RegistryAppOptions, rollbackTarget } from './app.js';
export { DEFAULT_RATE_LIMITS, type RateLimitOptions } from './rate-limit.js';
export { DEFAULT_DATA_DIR, type RunningRegistry, type StartRegistryOptions, startRegistry } from './server.js';
export { createFileBlobStore } from './storage/blobs.js';
export { createSqliteMetadataStore } from './storage/sqlite.js';
export type * from './storage/types.js';
