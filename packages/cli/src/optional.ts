import { ModmeshError } from '@modmesh/manifest';

/**
 * The packages the CLI uses for some commands only, which a project installs when it needs them
 * (peer dependencies): a build machine needs no database driver, a registry no bundler.
 */
const OPTIONAL_PACKAGES: Record<string, { for: string; install: string }> = {
  '@modmesh/registry': { for: 'run or administer a registry', install: 'npm install @modmesh/registry' },
  '@modmesh/build': { for: 'build', install: 'npm install --save-dev @modmesh/build webpack@5.111.1' },
};

/** A coded error for a command that needed an optional package that is not installed; undefined for any other error. */
export function missingOptionalPackage(error: unknown): ModmeshError | undefined {
  if ((error as NodeJS.ErrnoException | null)?.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const missing = Object.entries(OPTIONAL_PACKAGES).find(([name]) => !resolvable(name));
  if (!missing) return undefined;
  const [name, what] = missing;
  return new ModmeshError('MODMESH_USAGE', `this command needs ${name}, which is not installed (it is needed to ${what.for})`, {
    hint: `Install it where you run modmesh: ${what.install}`,
    cause: error,
  });
}

// --- internal ---

function resolvable(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}
