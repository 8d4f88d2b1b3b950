// The source documents' webpack config for the User Service (host), as they show it, on today's
// stock Module Federation (@module-federation/enhanced; the documents' @module-federation/node
// plugin of 2023 is now this one). Three additions, each marked: the modmesh runtime plugin,
// which turns the `remotes` URL into a verified release from the registry; `async-node` with
// async startup, so that the documents' top-level require of a remote module works as written;
// and the output path being this file's directory.
const path = require('node:path');
const { ModuleFederationPlugin } = require('@module-federation/enhanced/webpack');
const nodeExternals = require('webpack-node-externals');

const federation = require('./federation.config.js');

module.exports = {
  entry: './src/index.js',
  target: 'async-node', // modmesh: the documents say 'node'; async chunk loading for Module Federation's startup
  mode: 'development',
  context: __dirname, // modmesh: builds from any working directory
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: 'main.js',
    libraryTarget: 'commonjs-static',
  },
  externals: [nodeExternals({ modulesDir: path.resolve(__dirname, '../../node_modules') })],
  plugins: [new ModuleFederationPlugin(federation)],
};
