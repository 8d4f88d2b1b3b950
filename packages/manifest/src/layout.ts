import type { ContainerInfo } from './schema.js';

/**
 * Where each target's container lives in a release directory that holds more than one
 * (`node/` and `web/`, published together as one release). Builds write this layout and
 * `modmesh publish` reads it, so the two cannot disagree.
 */
export const RELEASE_TARGET_DIRS = { node: 'node', web: 'web' } as const satisfies Record<ContainerInfo['target'], string>;
