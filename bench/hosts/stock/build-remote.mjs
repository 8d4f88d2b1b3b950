// Builds the auth remote as stock Module Federation needs it to be loaded over HTTP by a Node
// host: a plain webpack or rspack config with @module-federation/enhanced, with the same sources,
// exposes, shared packages, trusted key, issuer and audience as the build modmesh publishes
// (read from examples/auth-service/modmesh.config.ts), plus the one addition stock needs,
// `@module-federation/node/runtimePlugin` in the remote itself.
//
// Why: the container's own chunk loader (target async-node) reads chunks with fs from the
// `__dirname` the entry was evaluated with. Loaded from http://host/remoteEntry.js that is ''
// (the host's working directory), so the unchanged build fails with ENOENT on its first chunk.
// The runtime plugin in the host patches only the host's chunk loading, not the remote's.
//   AUTH_PRIVATE_KEY=<pem> AUTH_REMOTE_DIR=<out> [AUTH_BUNDLER=rspack] node bench/hosts/stock/build-remote.mjs
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const require = createRequire(import.meta.url);

/**
 * Builds the stock-loadable auth remote into `outDir` in a child process (the bundler's memory
 * stays out of the benchmark's process); returns the build's wall time in ms.
 */
export function buildStockAuth({ outDir, privateKeyPem, bundler = 'webpack' }) {
  const startedAt = performance.now();
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      AUTH_PRIVATE_KEY: privateKeyPem,
      AUTH_REMOTE_DIR: outDir,
      AUTH_BUNDLER: bundler,
      // Never the example's own .env: the key given here is the only one trusted.
      AUTH_ENV_FILE: path.join(outDir, 'none.env'),
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`stock auth build (${bundler}): ${result.stderr || result.stdout}`);
  return performance.now() - startedAt;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build(process.env.AUTH_BUNDLER ?? 'webpack');

// --- internal ---

async function build(bundler) {
  const { loadConfig } = await import('@modmesh/build');
  const config = await loadConfig({ dir: path.join(root, 'examples/auth-service') });
  const node = config.targets.find((target) => target.target === 'node');
  const defines = Object.fromEntries(Object.entries(node.defines()).map(([key, value]) => [key, JSON.stringify(value)]));
  const federation = {
    name: config.name,
    filename: 'remoteEntry.js',
    library: { type: 'commonjs-module' },
    exposes: node.exposes,
    shared: node.shared,
    manifest: true,
    dts: false,
    runtimePlugins: [require.resolve('@module-federation/node/runtimePlugin')],
  };
  const common = {
    mode: 'production',
    target: 'async-node',
    context: config.dir,
    entry: {},
    devtool: 'source-map',
    output: { path: process.env.AUTH_REMOTE_DIR, chunkFilename: '[name].[contenthash:12].js', publicPath: '' },
    optimization: { minimize: false, chunkIds: 'named', moduleIds: 'named' },
    resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
    infrastructureLogging: { level: 'warn' },
  };
  const compiler = await createCompiler(bundler, common, defines, federation);
  const stats = await new Promise((resolve, reject) => compiler.run((error, result) => (error ? reject(error) : resolve(result))));
  await new Promise((resolve) => compiler.close(resolve));
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true, colors: false }));
}

async function createCompiler(bundler, common, defines, federation) {
  if (bundler === 'webpack') {
    const { ModuleFederationPlugin } = await import('@module-federation/enhanced/webpack');
    const { default: webpack } = await import('webpack');
    // ES modules keep the async boundary shared modules need.
    const loader = {
      loader: require.resolve('ts-loader'),
      options: { transpileOnly: true, compilerOptions: { module: 'esnext', moduleResolution: 'bundler', sourceMap: true } },
    };
    return webpack({
      ...common,
      module: { rules: [{ test: /\.ts$/, exclude: /node_modules/, ...loader }] },
      plugins: [new webpack.DefinePlugin(defines), new ModuleFederationPlugin(federation)],
    });
  }
  if (bundler === 'rspack') {
    const { ModuleFederationPlugin } = await import('@module-federation/enhanced/rspack');
    const { rspack } = await import('@rspack/core');
    const loader = {
      loader: 'builtin:swc-loader',
      options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
      type: 'javascript/auto',
    };
    return rspack({
      ...common,
      module: { rules: [{ test: /\.ts$/, exclude: /node_modules/, ...loader }] },
      plugins: [new rspack.DefinePlugin(defines), new ModuleFederationPlugin(federation)],
    });
  }
  throw new Error(`AUTH_BUNDLER must be webpack or rspack, not "${bundler}"`);
}
