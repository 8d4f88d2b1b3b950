// The Node host runtime as one prebuilt ES module (dist/bundle/index.js): @modmesh/runtime with
// host-core, the registry client, release verification and the Module Federation runtime in it.
// A host then loads one file at start-up instead of a hundred, and what only hosts with a root
// of trust need (@modmesh/trust and its schemas) is a chunk of its own, loaded when one is given
// (the workspace packages declare `sideEffects`, so what a host does not use is left out).
// It bundles what `tsc` emitted (dist/*.js); scripts/bundle.js runs it after tsc.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(here, '..');

// The error class stays the one of @modmesh/manifest that the host's own code imports: a coded
// error thrown inside the bundle is then `instanceof ModmeshError` there too.
const ERRORS_MODULE = '@modmesh/manifest/errors';
const ERROR_FILES = [path.join(packages, 'manifest/dist/errors.js'), path.join(packages, 'manifest/dist/catalogue.js')];

/** @returns {import('webpack').Configuration} */
export function createNodeBundleConfig({ outputPath = path.join(here, 'dist/bundle') } = {}) {
  return {
    name: 'runtime-node',
    mode: 'production',
    target: 'node20',
    context: here,
    entry: { index: './dist/index.js' },
    devtool: 'source-map',
    experiments: { outputModule: true },
    output: {
      path: outputPath,
      filename: '[name].js',
      chunkFilename: '[name].js',
      module: true,
      chunkFormat: 'module',
      chunkLoading: 'import',
      library: { type: 'module' },
      clean: true,
    },
    externalsType: 'module',
    externals: [
      async function errorsModule({ request, context, getResolve }) {
        if (!request || !(request.startsWith('.') || request.startsWith('@modmesh/manifest'))) return undefined;
        const resolved = await getResolve({ conditionNames: ['import', 'node', 'default'] })(context, request).catch(() => undefined);
        return resolved && (ERROR_FILES.includes(resolved) || resolved === path.join(packages, 'manifest/dist/errors-entry.js')) ? ERRORS_MODULE : undefined;
      },
    ],
    module: {
      parser: {
        // `import.meta.url` stays the bundle's own URL at run time (evaluate.ts makes Node's
        // require from it), rather than the path of the file on the machine that built it.
        javascript: { importMeta: false },
      },
    },
    optimization: {
      // Readable stack traces: names stay, nothing is mangled.
      minimize: false,
      splitChunks: false,
      chunkIds: 'named',
    },
    performance: { hints: false },
    infrastructureLogging: { level: 'warn' },
  };
}
