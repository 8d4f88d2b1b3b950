import { createRequire } from 'node:module';
import { ModmeshError } from '@modmesh/manifest';

export type RegistryModule = typeof import('@modmesh/registry');

/** The registry server package: an optional peer of the CLI, installed only where a registry runs. */
const REGISTRY_PACKAGE = '@modmesh/registry';

/**
 * Loads the registry server for a `modmesh registry ...` command, and only then: the CLI does not
 * depend on it, so `npm install @modmesh/cli` (to publish, move tags, read) brings neither fastify
 * nor the native SQLite build. Where it is not installed: MODMESH_REGISTRY_NOT_INSTALLED, saying
 * what to install.
 */
export async function loadRegistry(command: string): Promise<RegistryModule> {
  try {
    createRequire(import.meta.url).resolve(`${REGISTRY_PACKAGE}/package.json`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new ModmeshError('MODMESH_REGISTRY_NOT_INSTALLED', `\`modmesh ${command}\` needs the registry server, ${REGISTRY_PACKAGE}, which is not installed`, {
      hint: `Install it next to the CLI: npm install ${REGISTRY_PACKAGE} (it compiles better-sqlite3); publishing and the other commands do not need it.`,
      cause: error,
    });
  }
  return import('@modmesh/registry');
}
