import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Compiler, Configuration } from 'webpack';
import { applyModmesh } from './plugin.js';
import type { ResolvedConfig, ResolvedTarget } from './resolve-config.js';

export type Bundler = 'webpack' | 'rspack';
export const BUNDLERS: readonly Bundler[] = ['webpack', 'rspack'];

/**
 * The bundler config `modmesh build` compiles one target with: production mode, TypeScript and
 * TSX compiled as ES modules (Module Federation's async boundary for shared modules needs them;
 * `module: "commonjs"` fails at run time with RUNTIME-006), unminified code with source maps,
 * and ModmeshPlugin's settings (through the same function the plugin uses).
 */
export function createBundlerConfig(config: ResolvedConfig, target: ResolvedTarget, bundler: Bundler, outDir: string): Configuration {
  const node = target.target === 'node';
  return {
    name: `${config.name}-${target.target}`,
    mode: 'production',
    target: node ? 'async-node' : 'web',
    context: config.dir,
    // The container is the only entry: ModuleFederationPlugin adds it.
    entry: {},
    // Readable stack traces in the hosts that run this code matter more than bytes here.
    optimization: { minimize: false },
    resolve: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
    module: { rules: bundler === 'rspack' ? [swcRule(node, false), swcRule(node, true)] : [tsLoaderRule(config, node)] },
    plugins: [
      {
        apply(compiler: Compiler) {
          applyModmesh(compiler, config, target, outDir);
        },
      },
    ],
    performance: { hints: false },
    infrastructureLogging: { level: 'error' },
    // Nothing kept between builds: the same sources give the same bytes, whatever came before.
    cache: false,
  };
}

// --- internal ---

const require = createRequire(import.meta.url);
// Shipped in the package: src/ and dist/ are both one level below it.
const DEFAULT_TSCONFIG = fileURLToPath(new URL('../defaults/tsconfig.json', import.meta.url));

function tsLoaderRule(config: ResolvedConfig, node: boolean) {
  return {
    test: /\.(ts|tsx|mts)$/,
    exclude: /node_modules/,
    loader: require.resolve('ts-loader'),
    options: {
      transpileOnly: true,
      // Without a tsconfig.json of the project's own, ts-loader would look for one above it;
      // the default one reads the project's files from the project.
      configFile: config.tsconfig ?? DEFAULT_TSCONFIG,
      ...(!config.tsconfig && { context: config.dir }),
      compilerOptions: {
        module: 'esnext',
        moduleResolution: 'bundler',
        // Classic JSX needs only `react` in scope, which a shared React provides.
        jsx: 'react',
        sourceMap: config.sourceMaps,
        ...(!node && { lib: ['ES2023', 'DOM'], types: [] }),
      },
    },
  };
}

// .ts and .tsx apart: `<T>(x) => x` is a generic in one and JSX in the other.
function swcRule(node: boolean, tsx: boolean) {
  return {
    test: tsx ? /\.tsx$/ : /\.(ts|mts)$/,
    exclude: /node_modules/,
    loader: 'builtin:swc-loader',
    options: {
      jsc: {
        parser: { syntax: 'typescript', tsx },
        transform: { react: { runtime: 'classic' } },
        target: node ? 'es2022' : 'es2020',
      },
      module: { type: 'es6' },
    },
    type: 'javascript/auto',
  };
}
