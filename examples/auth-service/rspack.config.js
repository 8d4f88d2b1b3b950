// The same container as webpack.config.js, built by rspack: the fast option, and proof that
// hosts load remotes from either bundler.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModuleFederationPlugin } from '@module-federation/enhanced/rspack';
import { rspack } from '@rspack/core';
import { authDefines, federationOptions } from './webpack.config.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * @param {{ trustedKeys: object[], issuer: string, audience: string, outputPath: string }} auth
 * @returns {import('@rspack/core').Configuration}
 */
export function createRspackRemoteConfig(auth) {
  return {
    name: 'auth-remote-rspack',
    mode: 'production',
    target: 'async-node',
    context: here,
    entry: {},
    devtool: 'source-map',
    output: {
      path: auth.outputPath,
      chunkFilename: '[name].[contenthash:12].js',
      publicPath: '',
    },
    optimization: { minimize: false, chunkIds: 'named', moduleIds: 'named' },
    resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          loader: 'builtin:swc-loader',
          options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
          type: 'javascript/auto',
        },
      ],
    },
    plugins: [new rspack.DefinePlugin(authDefines(auth)), new ModuleFederationPlugin(federationOptions())],
    infrastructureLogging: { level: 'warn' },
  };
}
