import type { ContainerInfo } from './schema.js';

/**
 * Where each target's container lives in a release directory that holds more than one
 * (`node/` and `web/`, published together as one release). Builds write this layout and
 * `modmesh publish` reads it, so the two cannot disagree.
 */
export const RELEASE_TARGET_DIRS = { node: 'node', web: 'web' } as const satisfies Record<ContainerInfo['target'], string>;

/**
 * The build information `modmesh build` (and `ModmeshPlugin`) writes beside each container in a
 * release directory: which remote, target and bundler, the build id and the build-time
 * constants. `modmesh publish` reads the name and bundler from it, so a release directory is
 * published as it is. Deterministic: the same sources give the same file.
 */
export const RELEASE_BUILD_INFO = 'modmesh-build.json';
