// The documents' stock webpack host (examples/stock-user-service) in two builds of the same
// code and Module Federation options: as the example ships it, with the modmesh runtime plugin
// (auth@stable from the registry, verified), and with stock's own Node loading instead
// (@module-federation/node/runtimePlugin, remoteEntry.js over HTTP from a static server). Each
// started as a real process; readiness is its own "User Service running" line.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { root } from '../lib.mjs';

const exampleDir = path.join(root, 'examples/stock-user-service');
const require = createRequire(path.join(exampleDir, 'package.json'));

/** The example's own build (npm run build makes it): the modmesh runtime plugin. */
export const withPluginScript = path.join(exampleDir, 'dist/main.js');

/**
 * Builds the same host with stock's Node runtime plugin in place of modmesh's, loading the auth
 * container from `remoteEntryUrl`. Written below the example's dist/ so that its externals
 * resolve from the repository. Returns the script.
 */
export async function buildWithoutPlugin(remoteEntryUrl) {
  const webpack = require('webpack');
  const { ModuleFederationPlugin } = require('@module-federation/enhanced/webpack');
  const base = require('./webpack.config.js');
  const federation = require('./federation.config.js');
  const outDir = path.join(exampleDir, 'dist/bench-stock');
  const config = {
    ...base,
    output: { ...base.output, path: outDir },
    plugins: [
      new ModuleFederationPlugin({
        ...federation,
        // Stock needs the container's own name ('auth') before the @: its Node chunk loader finds
        // the remote's chunks by that name, and with any other it installs an empty chunk and the
        // first call fails with "Cannot read properties of undefined (reading 'call')".
        remotes: { authServiceRemote: `auth@${remoteEntryUrl}` },
        manifest: false,
        runtimePlugins: [require.resolve('@module-federation/node/runtimePlugin')],
      }),
    ],
  };
  const compiler = webpack(config);
  const stats = await new Promise((resolve, reject) => compiler.run((error, result) => (error ? reject(error) : resolve(result))));
  await new Promise((resolve) => compiler.close(resolve));
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true, colors: false }));
  return path.join(outDir, 'main.js');
}

/** Starts a build of the host on a free port; resolves once it says it is running. */
export async function startStockUserService(script, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    cwd: exampleDir,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('User Service running on port')) resolve();
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`stock user service exited (${code}) before running:\n${output.slice(-2000)}`)));
  });
  await ready;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

// --- internal ---

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
