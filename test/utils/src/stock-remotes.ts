import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './builds.js';

/** How a stock Module Federation container for Node is built: only what its author would write. */
export interface StockRemoteOptions {
  /**
   * `webpack`: @module-federation/enhanced's webpack plugin; `rspack`: its rspack plugin;
   * `rspack-builtin`: rspack's own `rspack.container.ModuleFederationPlugin`;
   * `webpack-universal`: @module-federation/node's UniversalFederationPlugin (isServer).
   */
  bundler: 'webpack' | 'rspack' | 'rspack-builtin' | 'webpack-universal';
  /** The plugin's `name`: the publisher's to choose. */
  name: string;
  /** Exposed modules: `./test` → the module's CommonJS source. */
  exposes: Record<string, string>;
  /** @default the plugin's default (a library of type var for rspack's built-in plugin) */
  library?: { type: string; name?: string };
  /** `output.publicPath`; unset as in the Node apps of module-federation/core, which then get no mf-manifest.json. */
  publicPath?: string;
  manifest?: boolean;
  /** @default 'async-node' */
  target?: 'async-node' | 'node';
  /** Adds `@module-federation/node/runtimePlugin` to `runtimePlugins`, as those apps do. */
  nodeRuntimePlugin?: boolean;
  shared?: Record<string, unknown>;
  /** Packages installed beside the sources (`node_modules/NAME`), each an index.js of this source: what `shared` can name. */
  packages?: Record<string, { version: string; source: string }>;
}

/** Builds the container into `outDir` (its sources go beside it, in `outDir.src`); resolves with `outDir`. */
export async function buildStockRemote(outDir: string, options: StockRemoteOptions): Promise<string> {
  const sources = `${outDir}.src`;
  await mkdir(sources, { recursive: true });
  // Its own package, CommonJS like the apps it imitates: without one, webpack would take the
  // "type" of whatever package.json it finds above.
  await writeFile(path.join(sources, 'package.json'), '{ "private": true }\n');
  for (const [name, pkg] of Object.entries(options.packages ?? {})) {
    const dir = path.join(sources, 'node_modules', name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version: pkg.version, main: 'index.js' }));
    await writeFile(path.join(dir, 'index.js'), pkg.source);
  }
  const exposes: Record<string, string> = {};
  for (const [expose, source] of Object.entries(options.exposes)) {
    const file = path.join(sources, `${expose.replace(/^\.\//, '').replace(/[^\w-]/g, '_')}.js`);
    await writeFile(file, source);
    exposes[expose] = file;
  }
  await promisify(execFile)(
    process.execPath,
    [path.join(repoRoot, 'test/utils/scripts/build-stock-remote.mjs'), JSON.stringify({ ...options, exposes, outDir })],
    {
      cwd: repoRoot,
    },
  );
  return outDir;
}
