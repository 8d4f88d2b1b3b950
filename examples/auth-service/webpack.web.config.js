// Builds the auth service's browser container: `./LoginForm`, with React shared as a singleton
// the page provides. Published beside the Node container in one release (node/ and web/).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWebContainerConfig } from '@modmesh/build';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { version: reactVersion } = require('react/package.json');

/**
 * @param {{ outputPath: string, loginTitle?: string, loginAccent?: string }} options
 *   what the login form says and its accent colour are fixed at build time.
 */
export function createWebConfig(options) {
  return createWebContainerConfig({
    name: 'auth',
    context: here,
    exposes: { './LoginForm': './src/ui/LoginForm.tsx' },
    shared: { react: { singleton: true, requiredVersion: `^${reactVersion.split('.')[0]}.0.0`, version: reactVersion } },
    outputPath: options.outputPath,
    defines: {
      __LOGIN_TITLE__: JSON.stringify(options.loginTitle ?? 'Sign in'),
      __LOGIN_ACCENT__: JSON.stringify(options.loginAccent ?? '#4f46e5'),
    },
  });
}
