// Builds the web shell's page (dist/app/app.js). The UI modules are not in it: the modmesh
// browser runtime loads them from the registry at run time. React is bundled here once and
// shared with every module as a singleton.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** @returns {import('webpack').Configuration} */
export function createShellConfig({ outputPath = path.join(here, 'dist/app') } = {}) {
  return {
    name: 'web-shell',
    mode: 'production',
    target: 'web',
    context: here,
    entry: { app: './src/app/main.tsx' },
    devtool: 'source-map',
    output: { path: outputPath, filename: '[name].js', clean: true },
    resolve: { extensions: ['.tsx', '.ts', '.js'], extensionAlias: { '.js': ['.tsx', '.ts', '.js'] } },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          options: {
            transpileOnly: true,
            configFile: path.join(here, 'tsconfig.json'),
            compilerOptions: {
              module: 'esnext',
              moduleResolution: 'bundler',
              jsx: 'react',
              sourceMap: true,
              rootDir: undefined,
              lib: ['ES2023', 'DOM'],
              types: [],
            },
          },
        },
      ],
    },
    performance: { hints: false },
    infrastructureLogging: { level: 'warn' },
  };
}
