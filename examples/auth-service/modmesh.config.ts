// The auth service's containers: ./tokenValidator for Node hosts (with the public keys it
// trusts, its issuer and audience fixed in at build time) and ./LoginForm for browsers. Built by
// `modmesh build` (webpack; `--bundler rspack` for the fast option) into the release directory
// src/config.ts names, which the service serves its Node container from and npm start publishes.
//   AUTH_PRIVATE_KEY / AUTH_TRUSTED_KEYS  which public keys the validator trusts (src/keys.ts)
//   AUTH_ISSUER, AUTH_AUDIENCE            the claims it checks
//   AUTH_LOGIN_TITLE, AUTH_LOGIN_ACCENT   what the login form says, and its colour
import { defineConfig } from '@modmesh/build';
import { readAuthConfig } from './src/config.js';
import { loadTrustedKeys } from './src/keys.js';

const auth = readAuthConfig(process.env);

export default defineConfig({
  name: 'auth',
  outDir: auth.releaseDir,
  targets: {
    node: {
      exposes: { './tokenValidator': './src/tokenValidator.ts' },
      shared: ['jsonwebtoken', 'dotenv'],
      // Read only when the Node container is built: the browser build needs no key.
      defines: () => ({
        __AUTH_TRUSTED_KEYS__: trustedKeys(),
        __AUTH_ISSUER__: auth.issuer,
        __AUTH_AUDIENCE__: auth.audience,
      }),
    },
    web: {
      exposes: { './LoginForm': './src/ui/LoginForm.tsx' },
      shared: ['react'],
      defines: {
        __LOGIN_TITLE__: process.env.AUTH_LOGIN_TITLE ?? 'Sign in',
        __LOGIN_ACCENT__: process.env.AUTH_LOGIN_ACCENT ?? '#4f46e5',
      },
    },
  },
});

// An AuthError (no key outside development, a bad AUTH_TRUSTED_KEYS) reaches the user with its
// code and hint through modmesh build's MODMESH_CONFIG_INVALID.
function trustedKeys() {
  return loadTrustedKeys({ env: process.env, envFile: auth.envFile, warn: (message) => console.warn(`warning: ${message}`) });
}
