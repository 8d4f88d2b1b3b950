import { createRequire } from 'node:module';
import path from 'node:path';
import { ModmeshError, RELEASE_BUILD_INFO, RELEASE_TARGET_DIRS } from '@modmesh/manifest';
import type { Compiler, WebpackPluginInstance } from 'webpack';
import type { ModmeshConfig, Target } from './config-schema.js';
import { type ResolvedConfig, type ResolvedTarget, resolveConfig } from './resolve-config.js';
import { sourceDigest } from './source-digest.js';
import { applyTypes } from './types-asset.js';
import { ModmeshWebPlugin } from './web-plugin.js';

export interface ModmeshPluginOptions extends ModmeshConfig {
  /**
   * Which of the config's targets this compiler builds. @default the config's only target; with
   * two, the compiler's own `target` decides ("web" for web, "node" for node and async-node)
   */
  target?: Target;
}

/** What `modmesh build` records beside each container (`modmesh-build.json`); the same sources give the same file. */
export interface BuildInfo {
  schema: typeof BUILD_INFO_SCHEMA;
  name: string;
  target: Target;
  /** Tells this build from every other build of the remote: a digest of the sources and options. */
  buildId: string;
  bundler: 'webpack' | 'rspack';
  bundlerVersion: string;
  exposes: Record<string, string>;
  shared: ResolvedTarget['shared'];
  defines: Record<string, unknown>;
}

export const BUILD_INFO_SCHEMA = 'modmesh.build/v1';
const NODE_CONTAINER_PACKAGE = { type: 'commonjs' };
/** Module Federation's entry file name in every modmesh container. */
export const CONTAINER_ENTRY = 'remoteEntry.js';

/**
 * The modmesh build as one plugin for a webpack 5 or rspack config that a team keeps: added to
 * it, the compiler writes the same release directory as `modmesh build` (the target's container
 * in `OUT_DIR/node` or `OUT_DIR/web` with mf-manifest.json, source maps and modmesh-build.json).
 * It adds `@module-federation/enhanced`'s ModuleFederationPlugin (Node containers as
 * `commonjs-module`), the build-time constants, a `uniqueName` from the build id, and for
 * browser containers ModmeshWebPlugin (integrity on every chunk script). Loaders stay yours:
 * compile TypeScript with `module: "esnext"`, or shared modules lose their async boundary.
 *
 * @example
 * // webpack.config.js (or rspack.config.js)
 * plugins: [new ModmeshPlugin({ name: 'auth', exposes: { './tokenValidator': './src/tokenValidator.ts' }, shared: ['jsonwebtoken'] })]
 */
export class ModmeshPlugin implements WebpackPluginInstance {
  readonly #options: ModmeshPluginOptions;

  constructor(options: ModmeshPluginOptions) {
    this.#options = options;
  }

  apply(compiler: Compiler): void {
    const { target, ...config } = this.#options;
    const resolved = resolveConfig(config, { dir: compiler.context });
    applyModmesh(compiler, resolved, pickTarget(resolved, target, compiler.options.target));
  }
}

/**
 * Applies one target of a checked config to a compiler: the one code path of ModmeshPlugin and
 * `modmesh build`. Output settings the config does not decide are set only where the bundler
 * config left them unset. `outDir` is where this compiler writes the release (`modmesh build`
 * writes to a staging directory and renames it into the config's outDir when it is complete).
 */
export function applyModmesh(compiler: Compiler, config: ResolvedConfig, target: ResolvedTarget, outDir = config.outDir): void {
  const { webpack } = compiler;
  const bundler = 'rspackVersion' in webpack ? 'rspack' : 'webpack';
  const defines = target.defines();
  const buildId = sourceDigest(
    sourcesOf(config, target),
    { name: config.name, target: target.target, exposes: target.exposes, shared: target.shared, defines },
    [config.outDir, outDir],
  );
  const { options } = compiler;
  const node = target.target === 'node';

  options.output.path = path.join(outDir, RELEASE_TARGET_DIRS[target.target]);
  // A target directory holds exactly one build: nothing of an older one is published with it.
  options.output.clean = true;
  // Node hosts load chunks relative to the entry's directory; browsers relative to its URL.
  options.output.publicPath ??= node ? '' : 'auto';
  options.output.chunkFilename ??= '[name].[contenthash:12].js';
  if (node) {
    options.output.uniqueName = `${config.name}_${buildId}`;
    options.target ??= 'async-node';
  }
  if (options.devtool === undefined && config.sourceMaps) options.devtool = 'source-map';
  // Readable, stable names: stack traces in the hosts that run this code, and the same ids for the same sources.
  options.optimization.chunkIds ??= 'named';
  options.optimization.moduleIds ??= node ? 'named' : 'deterministic';

  new webpack.DefinePlugin(Object.fromEntries(Object.entries(defines).map(([key, value]) => [key, JSON.stringify(value)]))).apply(compiler);
  const { ModuleFederationPlugin } = federationPlugin(bundler);
  new ModuleFederationPlugin({
    name: config.name,
    filename: CONTAINER_ENTRY,
    ...(node && { library: { type: 'commonjs-module' } }),
    exposes: target.exposes,
    shared: target.shared,
    manifest: true,
    dts: false,
  }).apply(compiler);
  if (!node) new ModmeshWebPlugin({ name: config.name, buildId }).apply(compiler);
  if (config.types) applyTypes(compiler, config, target);

  const info: BuildInfo = {
    schema: BUILD_INFO_SCHEMA,
    name: config.name,
    target: target.target,
    buildId,
    bundler,
    bundlerVersion: bundler === 'rspack' ? String((webpack as unknown as { rspackVersion: string }).rspackVersion) : webpack.version,
    exposes: target.exposes,
    shared: target.shared,
    defines,
  };
  compiler.hooks.thisCompilation.tap('ModmeshPlugin', function recordBuild(compilation) {
    compilation.hooks.processAssets.tap({ name: 'ModmeshPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
      compilation.emitAsset(RELEASE_BUILD_INFO, new webpack.sources.RawSource(`${JSON.stringify(info, null, 2)}\n`));
      // The container's files are CommonJS: said beside them, so Node reads them as such from
      // disk inside a project whose package.json says "type": "module".
      if (node) compilation.emitAsset('package.json', new webpack.sources.RawSource(`${JSON.stringify(NODE_CONTAINER_PACKAGE)}\n`));
    });
  });
}

/** The config's target a compiler builds. */
export function pickTarget(config: ResolvedConfig, wanted: Target | undefined, compilerTarget: unknown): ResolvedTarget {
  const name = wanted ?? (config.targets.length === 1 ? config.targets[0]?.target : targetOfCompiler(compilerTarget));
  const found = config.targets.find((each) => each.target === name);
  if (!found) {
    throw new ModmeshError(
      'MODMESH_CONFIG_INVALID',
      `${config.name}: the config has no ${name ?? 'such'} target (it has ${config.targets.map((each) => each.target).join(', ')})`,
      {
        hint: `Add '${name}' to targets in the config, or give ModmeshPlugin the target this compiler builds: new ModmeshPlugin({ ..., target: 'node' }).`,
      },
    );
  }
  return found;
}

// --- internal ---

const require = createRequire(import.meta.url);

// Module Federation's plugin for the bundler at hand (enhanced's rspack build wraps rspack's own).
function federationPlugin(bundler: 'webpack' | 'rspack'): { ModuleFederationPlugin: new (options: object) => WebpackPluginInstance } {
  return require(bundler === 'rspack' ? '@module-federation/enhanced/rspack' : '@module-federation/enhanced/webpack');
}

function targetOfCompiler(target: unknown): Target | undefined {
  const text = (Array.isArray(target) ? target.join(',') : String(target ?? '')).toLowerCase();
  if (text.includes('node')) return 'node';
  if (text.includes('web') || text.includes('browserslist')) return 'web';
  return undefined;
}

// What the build id is a digest of: the directory of each exposed module (what it imports from
// beside it), the config file and the tsconfig.
function sourcesOf(config: ResolvedConfig, target: ResolvedTarget): string[] {
  const dirs = Object.values(target.exposes).map((file) => path.dirname(path.resolve(config.dir, file)));
  return [...new Set([...dirs, ...(config.tsconfig ? [config.tsconfig] : [])])].sort();
}
