export type { VerifiedRelease } from './acquire.js';
export type { SharedPackage, SharedStatus } from './federation.js';
export type { Deadlines } from './fetch.js';
export { jsonLogger, type Level, type Logger } from './log.js';
export { createMesh, type LiveModule, type Mesh, type MeshOptions, type MeshStatus } from './mesh.js';
export type { SlotStatus } from './slot.js';
