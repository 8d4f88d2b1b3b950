import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources in tests (the "modmesh-source" export
// condition), so a test never runs against a stale dist/.
const conditions = ['modmesh-source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['modmesh-source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Whole-system tests start real processes and builds; two cores are all there is.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
