import { loadOptional } from '../optional.js';

export type RegistryModule = typeof import('@modmesh/registry');

/**
 * The registry server for a `modmesh registry ...` command, loaded only then: the CLI does not
 * depend on it, so `npm install @modmesh/cli` (to publish, move tags, read) brings neither
 * fastify nor the native SQLite build.
 */
export function loadRegistry(command: string): Promise<RegistryModule> {
  return loadOptional<RegistryModule>('@modmesh/registry', command);
}
