import { createRequire } from 'node:module';
import { ModmeshError } from '@modmesh/manifest';

/**
 * The packages the CLI uses for some commands only, which a project installs when it needs them
 * (optional peer dependencies): publishing needs neither fastify nor a native SQLite build, and a
 * registry needs no bundler.
 */
const OPTIONAL_PACKAGES = {
  '@modmesh/registry': { for: 'run or administer a registry', install: 'npm install @modmesh/registry (it compiles better-sqlite3)' },
  '@modmesh/build': { for: 'build', install: 'npm install --save-dev @modmesh/build webpack@5.111.1' },
} as const;

export type OptionalPackage = keyof typeof OPTIONAL_PACKAGES;

/**
 * Loads an optional package for `command`, and only then; where it is not installed,
 * MODMESH_PACKAGE_NOT_INSTALLED says what to install.
 */
export async function loadOptional<T>(name: OptionalPackage, command: string): Promise<T> {
  if (!resolvable(name)) throw notInstalled(name, command);
  return (await import(name)) as T;
}

/** The same coded error for a command that met a missing optional package some other way; undefined for any other error. */
export function missingOptionalPackage(error: unknown): ModmeshError | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const missing = (Object.keys(OPTIONAL_PACKAGES) as OptionalPackage[]).find((name) => !resolvable(name));
  return missing && notInstalled(missing, undefined, error);
}

// --- internal ---

function notInstalled(name: OptionalPackage, command: string | undefined, cause?: unknown): ModmeshError {
  const what = OPTIONAL_PACKAGES[name];
  return new ModmeshError(
    'MODMESH_PACKAGE_NOT_INSTALLED',
    `${command ? `\`modmesh ${command}\`` : 'this command'} needs ${name}, which is not installed (it is needed to ${what.for})`,
    { hint: `Install it next to the CLI: ${what.install}; the other commands do not need it.`, cause },
  );
}

function resolvable(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}
