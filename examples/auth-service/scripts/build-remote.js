// Builds the auth service's Module Federation container with the public keys its validator
// trusts fixed into it. Run after `tsc` (it reuses the compiled key handling).
//   AUTH_REMOTE_DIR   where to write the container (default dist/remote)
//   AUTH_TRUSTED_KEYS public JWKs to trust instead of the signing key's own
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import webpack from 'webpack';
import { readAuthConfig } from '../dist/server/config.js';
import { AuthError } from '../dist/server/errors.js';
import { loadTrustedKeys } from '../dist/server/keys.js';
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

const webpackConfig = createRemoteConfig({ trustedKeys, issuer: config.issuer, audience: config.audience, outputPath: config.remoteDir });
webpack(webpackConfig, (error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  const info = { trustedKids: trustedKeys.map((key) => key.kid), issuer: config.issuer, audience: config.audience };
  writeFileSync(path.join(config.remoteDir, 'auth-build.json'), `${JSON.stringify(info, null, 2)}\n`);
  console.log(
    `auth container built in ${path.relative(process.cwd(), config.remoteDir) || '.'} (${stats.endTime - stats.startTime} ms), trusting ${info.trustedKids.join(', ')}`,
  );
});
