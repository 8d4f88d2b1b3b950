import { createRequire } from 'node:module';
import path from 'node:path';
import { ModuleFederationPlugin } from '@module-federation/enhanced/webpack';
import webpack, { type Configuration } from 'webpack';
import { sourceDigest } from './source-digest.js';
import { ModmeshWebPlugin } from './web-plugin.js';

export interface WebContainerOptions {
  /** The remote's name: the container name, its `var` global, and the registry's name for it. */
  name: string;
  /** The service's directory; exposes and sources are relative to it. */
  context: string;
  /** `{ './LoginForm': './src/ui/LoginForm.tsx' }` */
  exposes: Record<string, string>;
  /** Packages the page provides, as Module Federation shared config (a UI library as a singleton). */
  shared: Record<string, { singleton?: boolean; requiredVersion: string; version?: string }>;
  /** Where the container goes (remoteEntry.js, chunks, mf-manifest.json). */
  outputPath: string;
  /** Compile-time constants (DefinePlugin); part of the build id. */
  defines?: Record<string, string>;
  /** Directories whose content identifies the build. @default the directory of each expose */
  sources?: string[];
  /** The tsconfig ts-loader reads. @default "tsconfig.json" in context */
  tsconfig?: string;
}

const require = createRequire(import.meta.url);

/**
 * A webpack 5 config for a browser Module Federation container that the modmesh browser runtime
 * can load: TypeScript/TSX through ts-loader, content-hashed chunks found relative to the entry's
 * URL, source maps kept beside the code, and ModmeshWebPlugin (integrity on every chunk script).
 *
 * @example
 * export default createWebContainerConfig({ name: 'auth', context: here, exposes: { './LoginForm': './src/ui/LoginForm.tsx' },
 *   shared: { react: { singleton: true, requiredVersion: '^19.0.0' } }, outputPath: path.join(here, 'dist/web') });
 */
export function createWebContainerConfig(options: WebContainerOptions): Configuration {
  const defines = options.defines ?? {};
  const sources = options.sources ?? [...new Set(Object.values(options.exposes).map((file) => path.dirname(path.resolve(options.context, file))))];
  const buildId = sourceDigest(sources, { name: options.name, exposes: options.exposes, shared: options.shared, defines });
  return {
    name: `${options.name}-web`,
    mode: 'production',
    target: 'web',
    context: options.context,
    // The container is the only entry: ModuleFederationPlugin adds it.
    entry: {},
    devtool: 'source-map',
    output: {
      path: options.outputPath,
      // Chunks are found relative to remoteEntry.js's own URL, wherever the registry serves it.
      publicPath: 'auto',
      chunkFilename: '[name].[contenthash:12].js',
      clean: true,
    },
    optimization: { minimize: false, chunkIds: 'named', moduleIds: 'deterministic' },
    resolve: { extensions: ['.tsx', '.ts', '.js'], extensionAlias: { '.js': ['.tsx', '.ts', '.js'] } },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          loader: require.resolve('ts-loader'),
          options: {
            transpileOnly: true,
            configFile: options.tsconfig ?? path.join(options.context, 'tsconfig.json'),
            // ES modules keep the async boundary shared modules need; classic JSX needs only `react`.
            compilerOptions: { module: 'esnext', moduleResolution: 'bundler', jsx: 'react', sourceMap: true, lib: ['ES2023', 'DOM'], types: [] },
          },
        },
      ],
    },
    plugins: [
      new webpack.DefinePlugin(defines),
      new ModuleFederationPlugin({
        name: options.name,
        filename: 'remoteEntry.js',
        exposes: options.exposes,
        shared: options.shared,
        manifest: true,
        dts: false,
      }),
      new ModmeshWebPlugin({ name: options.name, buildId }),
    ],
    performance: { hints: false },
    infrastructureLogging: { level: 'warn' },
  };
}
