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

/**
 * The declarations of a container's exposed modules and of the types they use, beside the
 * container in a release (covered by its signed manifest like every other file): one file of
 * ambient modules, one per source file. `modmesh build` writes it; the publish gate compares it
 * with the previous release's and `modmesh types pull` writes it for hosts. Never evaluated.
 */
export const RELEASE_TYPES = 'modmesh-types.d.ts';

/** Which module of RELEASE_TYPES each exposed module is (`{ "./tokenValidator": "src/tokenValidator" }`), and for which remote and target. */
export const RELEASE_TYPES_INDEX = 'modmesh-types.json';
