// Builds the dashboard (dashboard/src, TypeScript) into dist/dashboard/app.js: one script with
// the registry client from @modmesh/api in it, for a page whose CSP allows only its own files.
// scripts/build-dashboard.js runs it and copies the page's static files beside it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** @returns {import('webpack').Configuration} */
export function createDashboardConfig({ outputPath = path.join(here, 'dist/dashboard') } = {}) {
  return {
    name: 'dashboard',
    mode: 'production',
    // Browsers of today: no down-levelling of what the sources use (ES2022).
    target: ['web', 'es2022'],
    context: here,
    entry: { app: './dashboard/src/main.ts' },
    devtool: 'source-map',
    output: { path: outputPath, filename: '[name].js', clean: true },
    resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          options: {
            // Type checking is the repository's (tsconfig.web.json); this only strips types.
            transpileOnly: true,
            configFile: path.join(here, 'tsconfig.json'),
            compilerOptions: { module: 'esnext', moduleResolution: 'bundler', rootDir: undefined, sourceMap: true, lib: ['ES2023', 'DOM'], types: [] },
          },
        },
      ],
    },
    performance: { hints: false },
    infrastructureLogging: { level: 'warn' },
  };
}
