// The stock Module Federation host the benchmarks compare modmesh with: the User Service built
// by webpack 5 with `@module-federation/enhanced`, as its documentation sets up a Node host.
// Build it with `node bench/hosts/stock/build.mjs`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModuleFederationPlugin } from '@module-federation/enhanced/webpack';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** @returns {import('webpack').Configuration} */
export function createStockHostConfig() {
  return {
    name: 'user-service-stock',
    mode: 'production',
    // Chunks are read with fs + vm rather than require(): what Module Federation's Node
    // runtime plugin patches to load remote chunks over HTTP.
    target: 'async-node',
    context: here,
    entry: { main: './src/index.js' },
    output: {
      path: path.join(here, 'dist'),
      // The repository is "type": "module"; the bundle is CommonJS, so its entry says so.
      filename: '[name].cjs',
      chunkFilename: '[name].[contenthash:12].js',
      clean: true,
      // Always rewrite: build.mjs tells a stale build by main.cjs being older than the sources.
      compareBeforeEmit: false,
    },
    optimization: { minimize: false },
    plugins: [
      new ModuleFederationPlugin({
        name: 'user_service_stock',
        // The remote is registered at run time from AUTH_REMOTE_URL (src/bootstrap.js).
        remotes: {},
        runtimePlugins: [require.resolve('@module-federation/node/runtimePlugin')],
        shared: {
          express: { singleton: true, requiredVersion: versionRange('express') },
          jsonwebtoken: { singleton: true, requiredVersion: versionRange('jsonwebtoken') },
        },
        // A host exposes nothing: no manifest or types to emit.
        manifest: false,
        dts: false,
      }),
    ],
    // Express reaches for optional view engines with dynamic requires; they are never used.
    ignoreWarnings: [{ module: /node_modules\/express\/lib\/view\.js/ }],
    infrastructureLogging: { level: 'warn' },
  };
}

// --- internal ---

function versionRange(name) {
  return `^${require(`${name}/package.json`).version.split('.')[0]}.0.0`;
}
