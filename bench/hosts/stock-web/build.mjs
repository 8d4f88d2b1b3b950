// Builds the stock browser variant of the main application into OUT_DIR:
//   page/    index.html, app.js (src/main.js) and app.css, built with the web shell's own webpack
//            settings (examples/web-shell/webpack.config.js) and its stylesheet;
//   remote/  the auth service's LoginForm container from a plain webpack config with
//            @module-federation/enhanced, with the exposes and shared packages of its
//            modmesh.config.ts and without ModmeshWebPlugin: a stock container, whose chunk
//            scripts carry no integrity (the modmesh one refuses to load chunks without the
//            modmesh runtime on the page).
// Same sources, React, webpack and mode as the modmesh build; only modmesh's additions are out.
//   node bench/hosts/stock-web/build.mjs OUT_DIR
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/**
 * Builds both in a child process (the bundler's memory stays out of the benchmark's process);
 * resolves with `{ pageDir, remoteDir }`.
 */
export function buildStockWeb(outDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), outDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve({ pageDir: path.join(outDir, 'page'), remoteDir: path.join(outDir, 'remote') });
      else reject(new Error(`stock web build: exit ${code}\n${output}`));
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build(path.resolve(process.argv[2]));

// --- internal ---

async function build(outDir) {
  const { default: webpack } = await import('webpack');
  const { ModuleFederationPlugin } = await import('@module-federation/enhanced/webpack');
  const { loadConfig } = await import('@modmesh/build');
  const { createShellConfig } = await import(path.join(root, 'examples/web-shell/webpack.config.js'));
  const auth = await loadConfig({ dir: path.join(root, 'examples/auth-service') });
  const web = auth.targets.find((target) => target.target === 'web');

  const pageDir = path.join(outDir, 'page');
  const page = { ...createShellConfig({ outputPath: pageDir }), name: 'stock-web-page', entry: { app: path.join(here, 'src/main.js') } };
  // The default title, as the modmesh release the page opens with (1.0.0).
  const defines = Object.fromEntries(Object.entries(web.defines()).map(([key, value]) => [key, JSON.stringify(value)]));
  const remote = {
    name: 'auth-web-stock',
    mode: 'production',
    target: 'web',
    context: auth.dir,
    entry: {},
    devtool: 'source-map',
    output: { path: path.join(outDir, 'remote'), publicPath: 'auto', chunkFilename: '[name].[contenthash:12].js' },
    optimization: { minimize: false, chunkIds: 'named', moduleIds: 'deterministic' },
    resolve: { extensions: ['.tsx', '.ts', '.js'], extensionAlias: { '.js': ['.tsx', '.ts', '.js'] } },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          options: { transpileOnly: true, compilerOptions: { module: 'esnext', moduleResolution: 'bundler', jsx: 'react', lib: ['ES2023', 'DOM'], types: [] } },
        },
      ],
    },
    plugins: [
      new webpack.DefinePlugin(defines),
      new ModuleFederationPlugin({ name: auth.name, filename: 'remoteEntry.js', exposes: web.exposes, shared: web.shared, manifest: true, dts: false }),
    ],
    performance: { hints: false },
    infrastructureLogging: { level: 'warn' },
  };

  const compiler = webpack([page, remote]);
  const stats = await new Promise((resolve, reject) => compiler.run((error, result) => (error ? reject(error) : resolve(result))));
  await new Promise((resolve) => compiler.close(resolve));
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true, colors: false }));
  copyFileSync(path.join(here, 'index.html'), path.join(pageDir, 'index.html'));
  copyFileSync(path.join(root, 'examples/web-shell/src/app/app.css'), path.join(pageDir, 'app.css'));
}
