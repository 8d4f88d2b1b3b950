// Builds a small Module Federation container for Node the way a user of stock Module Federation
// would, with only the options given (see ../src/stock-remotes.ts). Run as its own process:
//   node build-stock-remote.mjs '<options as JSON>'
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// Inside the repository, so that rspack's built-in plugin finds @module-federation/runtime-tools
// from the compiler's context, as it does in a project that installed it.
const context = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const options = JSON.parse(process.argv[2] ?? '{}');

const federation = {
  name: options.name,
  filename: 'remoteEntry.js',
  exposes: options.exposes,
  ...(options.library && { library: options.library }),
  ...(options.shared && { shared: options.shared }),
  ...(options.manifest !== undefined && { manifest: options.manifest }),
  ...(options.nodeRuntimePlugin && { runtimePlugins: [require.resolve('@module-federation/node/runtimePlugin')] }),
};
const config = {
  mode: 'production',
  target: options.target ?? 'async-node',
  context,
  entry: {},
  devtool: false,
  output: { path: options.outDir, ...(options.publicPath !== undefined && { publicPath: options.publicPath }) },
  optimization: { minimize: false },
  infrastructureLogging: { level: 'error' },
};

const compiler = await createCompiler(options.bundler);
compiler.run((error, stats) => {
  if (error || stats?.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  compiler.close(() => {});
});

async function createCompiler(bundler) {
  if (bundler === 'webpack' || bundler === 'webpack-universal') {
    const { default: webpack } = await import('webpack');
    const plugin =
      bundler === 'webpack'
        ? new (await import('@module-federation/enhanced/webpack')).ModuleFederationPlugin({ dts: false, ...federation })
        : new (require('@module-federation/node').UniversalFederationPlugin)({ isServer: true, ...federation });
    return webpack({ ...config, plugins: [plugin] });
  }
  const { rspack } = await import('@rspack/core');
  const plugin =
    bundler === 'rspack'
      ? new (await import('@module-federation/enhanced/rspack')).ModuleFederationPlugin({ dts: false, ...federation })
      : new rspack.container.ModuleFederationPlugin(federation);
  return rspack({ ...config, plugins: [plugin] });
}
