// Builds the auth remote as stock Module Federation needs it to be loaded over HTTP by a Node
// host: the same sources, federation options, trusted key, issuer and audience as the build
// modmesh publishes (examples/auth-service/webpack.config.js, rspack.config.js), plus the one
// addition stock needs, `@module-federation/node/runtimePlugin` in the remote itself.
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
  const { readAuthConfig } = await import(path.join(root, 'examples/auth-service/dist/server/config.js'));
  const { loadTrustedKeys } = await import(path.join(root, 'examples/auth-service/dist/server/keys.js'));
  const { federationOptions } = await import(path.join(root, 'examples/auth-service/webpack.config.js'));
  const { createConfig, ModuleFederationPlugin, compilerOf } = await loadBundler(bundler);

  const config = readAuthConfig(process.env);
  const trustedKeys = loadTrustedKeys({ env: process.env, envFile: config.envFile, warn: (message) => console.warn(`warning: ${message}`) });
  const bundlerConfig = createConfig({ trustedKeys, issuer: config.issuer, audience: config.audience, outputPath: config.remoteDir });
  const federation = bundlerConfig.plugins.findIndex((plugin) => plugin instanceof ModuleFederationPlugin);
  if (federation === -1) throw new Error(`the example's ${bundler} config no longer uses the ModuleFederationPlugin this script extends`);
  bundlerConfig.plugins[federation] = new ModuleFederationPlugin({
    ...federationOptions(),
    runtimePlugins: [require.resolve('@module-federation/node/runtimePlugin')],
  });

  const compiler = compilerOf(bundlerConfig);
  const stats = await new Promise((resolve, reject) => compiler.run((error, result) => (error ? reject(error) : resolve(result))));
  await new Promise((resolve) => compiler.close(resolve));
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true, colors: false }));
}

async function loadBundler(bundler) {
  if (bundler === 'webpack') {
    const { createRemoteConfig } = await import(path.join(root, 'examples/auth-service/webpack.config.js'));
    const { ModuleFederationPlugin } = await import('@module-federation/enhanced/webpack');
    const { default: webpack } = await import('webpack');
    return { createConfig: createRemoteConfig, ModuleFederationPlugin, compilerOf: webpack };
  }
  if (bundler === 'rspack') {
    const { createRspackRemoteConfig } = await import(path.join(root, 'examples/auth-service/rspack.config.js'));
    const { ModuleFederationPlugin } = await import('@module-federation/enhanced/rspack');
    const { rspack } = await import('@rspack/core');
    return { createConfig: createRspackRemoteConfig, ModuleFederationPlugin, compilerOf: rspack };
  }
  throw new Error(`AUTH_BUNDLER must be webpack or rspack, not "${bundler}"`);
}
