// Builds the auth service's Module Federation container with the public keys its validator
// trusts fixed into it. Run after `tsc` (it reuses the compiled key handling).
//   AUTH_REMOTE_DIR   where to write the container (default: the Node container of the release
//                     directory, from src/config.ts, which the service serves and npm start publishes)
//   AUTH_TRUSTED_KEYS public JWKs to trust instead of the signing key's own
//   AUTH_BUNDLER      webpack (default) or rspack
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import webpack from 'webpack';
import { readAuthConfig } from '../dist/server/config.js';
import { AuthError } from '../dist/server/errors.js';
import { loadTrustedKeys } from '../dist/server/keys.js';
import { createRspackRemoteConfig } from '../rspack.config.js';
import { createRemoteConfig } from '../webpack.config.js';

const config = readAuthConfig(process.env);
let trustedKeys;
try {
  trustedKeys = loadTrustedKeys({ env: process.env, envFile: config.envFile, warn: (msg) => console.warn(`warning: ${msg}`) });
} catch (error) {
  if (!(error instanceof AuthError)) throw error;
  console.error(`${error.code}: ${error.message}\n  ${error.hint}`);
  process.exit(1);
}

const bundler = process.env.AUTH_BUNDLER ?? 'webpack';
const options = { trustedKeys, issuer: config.issuer, audience: config.audience, outputPath: config.remoteDir };
if (bundler !== 'webpack' && bundler !== 'rspack') {
  console.error(`AUTH_BUNDLER must be webpack or rspack, not "${bundler}"`);
  process.exit(1);
}
const compile = bundler === 'rspack' ? (await import('@rspack/core')).rspack(createRspackRemoteConfig(options)) : webpack(createRemoteConfig(options));
compile.run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  const info = { trustedKids: trustedKeys.map((key) => key.kid), issuer: config.issuer, audience: config.audience };
  writeFileSync(path.join(config.remoteDir, 'auth-build.json'), `${JSON.stringify(info, null, 2)}\n`);
  console.log(
    `auth container built by ${bundler} in ${path.relative(process.cwd(), config.remoteDir) || '.'} (${stats.endTime - stats.startTime} ms), trusting ${info.trustedKids.join(', ')}`,
  );
});
