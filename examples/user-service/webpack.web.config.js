// Builds the user service's browser container: `./ProfileCard`, with React shared as a
// singleton the page provides. Published to the registry as the remote `user`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWebContainerConfig } from '@modmesh/build';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { version: reactVersion } = require('react/package.json');

/** @param {{ outputPath: string }} options where to write it (src/layout.ts decides, for npm start) */
export function createWebConfig(options) {
  return createWebContainerConfig({
    name: 'user',
    context: here,
    exposes: { './ProfileCard': './src/ui/ProfileCard.tsx' },
    shared: { react: { singleton: true, requiredVersion: `^${reactVersion.split('.')[0]}.0.0`, version: reactVersion } },
    outputPath: options.outputPath,
  });
}
