export type { Deadlines } from '@modmesh/api';
export type { SharedPackage, SharedStatus } from '@modmesh/host-core';
export type { VerifiedRelease } from './acquire.js';
export { createReleaseCache, type ReleaseCache } from './cache.js';
export type { CodeCacheOptions } from './code-cache.js';
export { jsonLogger, type Level, type Logger } from './log.js';
export { createMesh, type LiveModule, type Mesh, type MeshOptions, type MeshStatus, type RemoteStatus } from './mesh.js';
export type { RemoteModuleId, RemoteModules } from './remote-modules.js';
export { type HostTrust, hostTrustFromEnv, trustFromEnv, trustVariable } from './trust-env.js';
