// Builds the auth service's Module Federation container for Node hosts: `remoteEntry.js`, its
// chunks and `mf-manifest.json`, into the directory src/config.ts names (scripts/build-remote.js
// passes it). The server itself is compiled by tsc.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModuleFederationPlugin } from '@module-federation/enhanced/webpack';
import webpack from 'webpack';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { version: jsonwebtokenVersion } = require('jsonwebtoken/package.json');
const { version: dotenvVersion } = require('dotenv/package.json');

/**
 * The container's Module Federation options, the same for webpack and rspack builds.
 * @returns {import('@module-federation/enhanced').moduleFederationPlugin.ModuleFederationPluginOptions}
 */
export function federationOptions() {
  return {
    name: 'auth',
    filename: 'remoteEntry.js',
    library: { type: 'commonjs-module' },
    exposes: {
      './tokenValidator': './src/tokenValidator.ts',
    },
    shared: {
      jsonwebtoken: { singleton: true, requiredVersion: `^${jsonwebtokenVersion.split('.')[0]}.0.0`, version: jsonwebtokenVersion },
      dotenv: { singleton: true, requiredVersion: `^${dotenvVersion.split('.')[0]}.0.0`, version: dotenvVersion },
    },
    manifest: true,
    dts: false,
  };
}

/** What the exposed validator trusts, fixed into the build (see src/tokenValidator.ts). */
export function authDefines(auth) {
  return {
    __AUTH_TRUSTED_KEYS__: JSON.stringify(auth.trustedKeys),
    __AUTH_ISSUER__: JSON.stringify(auth.issuer),
    __AUTH_AUDIENCE__: JSON.stringify(auth.audience),
  };
}

/**
 * @param {{ trustedKeys: object[], issuer: string, audience: string, outputPath: string }} auth
 *   what the exposed validator trusts, fixed into the build.
 * @returns {import('webpack').Configuration}
 */
export function createRemoteConfig(auth) {
  return {
    name: 'auth-remote',
    mode: 'production',
    target: 'async-node',
    context: here,
    // The container is the only entry: the plugin adds it.
    entry: {},
    devtool: 'source-map',
    output: {
      path: auth.outputPath,
      // Chunks are content-hashed and never deleted on rebuild (no output.clean): a host that
      // loaded an older remoteEntry.js keeps finding the chunks it references.
      chunkFilename: '[name].[contenthash:12].js',
      // Node hosts load chunks relative to the entry's directory, never by URL, so no public
      // path is needed (and 'auto' only makes the manifest plugin warn).
      publicPath: '',
    },
    optimization: {
      // Readable stack traces in the hosts that run this code matter more than bytes here.
      minimize: false,
      chunkIds: 'named',
      moduleIds: 'named',
    },
    resolve: {
      extensions: ['.ts', '.js'],
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          loader: require.resolve('ts-loader'),
          options: {
            transpileOnly: true,
            configFile: path.join(here, 'tsconfig.json'),
            // ES modules keep the async boundary Module Federation needs for shared modules;
            // "commonjs" here fails at run time with RUNTIME-006 (loadShareSync).
            compilerOptions: { module: 'esnext', moduleResolution: 'bundler', sourceMap: true },
          },
        },
      ],
    },
    plugins: [new webpack.DefinePlugin(authDefines(auth)), new ModuleFederationPlugin(federationOptions())],
    infrastructureLogging: { level: 'warn' },
  };
}
