// The Auth Service process: loads its signing key, then serves /login and its container until
// SIGINT/SIGTERM.

import { readAuthConfig, readLoginLimits } from './config.js';
import { AuthError } from './errors.js';
import { loadSigningKey } from './keys.js';
import { createLogger } from './log.js';
import { createAuthServiceApp } from './server.js';

const log = createLogger('auth-service');

function main(): void {
  const config = readAuthConfig(process.env);
  const signingKey = loadSigningKey({ env: process.env, envFile: config.envFile, warn: (msg) => log('warn', msg, { code: 'AUTH_DEV_KEY_GENERATED' }) });
  const app = createAuthServiceApp({
    signingKey,
    issuer: config.issuer,
    audience: config.audience,
    tokenTtlSeconds: process.env.AUTH_TOKEN_TTL ? Number(process.env.AUTH_TOKEN_TTL) : undefined,
    remoteDir: config.remoteDir,
    loginLimits: readLoginLimits(process.env),
    log,
  });

  const port = Number(process.env.PORT ?? 3001);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = app.listen(port, host, () => {
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    log('info', 'listening', { url: `http://${host}:${actualPort}`, kid: signingKey.kid, remoteDir: config.remoteDir });
  });
  server.on('error', (error) => {
    log('error', 'cannot listen', { error: error.message });
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log('info', 'stopping', { signal });
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof AuthError)) throw error;
  log('error', error.message, { code: error.code, hint: error.hint });
  process.exitCode = 1;
}
