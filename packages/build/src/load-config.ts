import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModmeshError } from '@modmesh/manifest';
import { type ResolvedConfig, resolveConfig } from './resolve-config.js';

/** The names a project's config may have, in the order they are looked for. */
export const CONFIG_FILES = ['modmesh.config.ts', 'modmesh.config.mts', 'modmesh.config.js', 'modmesh.config.mjs'];

/**
 * Reads and checks the modmesh config of a project: `file`, or the first of CONFIG_FILES in
 * `dir`. TypeScript configs are compiled on the fly (no build step, no TypeScript install); a
 * config that throws while loading is a MODMESH_CONFIG_INVALID naming the file.
 *
 * @example
 * const config = await loadConfig({ dir: process.cwd() });
 */
export async function loadConfig(options: { dir: string; file?: string }): Promise<ResolvedConfig> {
  const file = options.file ? path.resolve(options.dir, options.file) : findConfig(options.dir);
  if (!file || !existsSync(file)) {
    throw new ModmeshError('MODMESH_USAGE', options.file ? `${file} does not exist` : `no ${CONFIG_FILES[0]} in ${path.resolve(options.dir)}`, {
      hint: 'Run modmesh build in the directory of your modmesh.config.ts (or name it: modmesh build DIR), or make one with `modmesh init --remote DIR`.',
    });
  }
  const value = await importConfig(file);
  return resolveConfig(value, { dir: path.dirname(file), file });
}

// --- internal ---

function findConfig(dir: string): string | undefined {
  return CONFIG_FILES.map((name) => path.resolve(dir, name)).find((file) => existsSync(file));
}

async function importConfig(file: string): Promise<unknown> {
  try {
    // A JavaScript config is Node's to load; TypeScript goes through jiti, loaded only then (its
    // transform takes about 0.2 s to load). No cache on disk (nothing written into the project)
    // and none in memory (a watch rebuild reads the file as it is now).
    if (/\.m?js$/.test(file)) return ((await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as { default: unknown }).default;
    const { createJiti } = await import('jiti');
    const jiti = createJiti(file, { fsCache: false, moduleCache: false, interopDefault: true });
    return await jiti.import(file, { default: true });
  } catch (cause) {
    const code = (cause as { code?: unknown })?.code;
    throw new ModmeshError(
      'MODMESH_CONFIG_INVALID',
      `${file} could not be loaded: ${typeof code === 'string' ? `${code}: ` : ''}${(cause as Error)?.message ?? String(cause)}`,
      {
        file,
        hint:
          (cause as { hint?: unknown })?.hint && typeof (cause as { hint?: unknown }).hint === 'string'
            ? (cause as { hint: string }).hint
            : 'Fix the error in the config (or in what it imports); it runs in Node each time you build.',
        cause,
      },
    );
  }
}
