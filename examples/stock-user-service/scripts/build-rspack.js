// The same host built with rspack, from the same Module Federation options (federation.config.js):
// what a team that builds its host with rspack has. Writes dist/rspack/main.js.
//   node scripts/build-rspack.js [OUT_DIR]
const path = require('node:path');
const { rspack } = require('@rspack/core');
const { ModuleFederationPlugin } = require('@module-federation/enhanced/rspack');
const nodeExternals = require('webpack-node-externals');
const federation = require('../federation.config.js');

const here = path.resolve(__dirname, '..');
rspack({
  entry: './src/index.js',
  target: 'async-node',
  mode: 'development',
  context: here,
  output: { path: path.resolve(process.argv[2] ?? path.join(here, 'dist/rspack')), filename: 'main.js', library: { type: 'commonjs-static' } },
  externals: [
    nodeExternals({
      modulesDir: path.resolve(here, '../../node_modules'),
      // rspack's federation plugin makes its runtime entry a virtual module under this name: it
      // must be bundled, not required from node_modules.
      allowlist: [/^@module-federation\/runtime\/rspack\.js!=!/],
    }),
  ],
  plugins: [new ModuleFederationPlugin(federation)],
}).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  console.log(`stock user service built by rspack (${stats.endTime - stats.startTime} ms)`);
});
