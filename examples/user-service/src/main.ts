// The User Service process: reads its configuration from the environment, loads the auth
// service's token validator through Module Federation, and serves until SIGINT/SIGTERM.
import { createRequire } from 'node:module';
import { ModmeshError } from '@modmesh/manifest';
import express from 'express';
import jwt from 'jsonwebtoken';
import { createUserServiceApp, type TokenValidatorModule } from './app.js';
import { createFederationHost } from './federation-host.js';
import { createLogger } from './log.js';
import { createRemoteModule } from './remote-module.js';

const require = createRequire(import.meta.url);
const log = createLogger('user-service');

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const authRemoteUrl = process.env.AUTH_REMOTE_URL ?? 'http://127.0.0.1:3001/remoteEntry.js';
const deadlineMs = Number(process.env.AUTH_DEADLINE_MS ?? 5000);

const federation = createFederationHost({
  name: 'user_service',
  remotes: { auth: authRemoteUrl },
  // Provided from this service's own node_modules: the remote's code uses these very copies.
  shared: {
    jsonwebtoken: { version: require('jsonwebtoken/package.json').version, lib: () => jwt, singleton: true, requiredVersion: '^9.0.0' },
    express: { version: require('express/package.json').version, lib: () => express, singleton: true, requiredVersion: '^5.0.0' },
  },
  deadlines: { firstByteMs: deadlineMs, totalMs: deadlineMs * 3 },
  onRemoteLoaded: (event) => log('info', 'remote loaded', event),
});

const validator = createRemoteModule<TokenValidatorModule>({
  id: 'auth/tokenValidator',
  async load() {
    const module = await federation.load<Partial<TokenValidatorModule>>('auth/tokenValidator');
    if (typeof module.validateJwtToken !== 'function') {
      throw new ModmeshError('MODMESH_EXPOSE_NOT_FOUND', 'auth/tokenValidator has no validateJwtToken function', { remote: 'auth' });
    }
    return module as TokenValidatorModule;
  },
  onReady: (attempts) => log('info', 'auth/tokenValidator ready', { attempts }),
  onFailure: (error, attempt, retryInMs) => log('warn', 'auth/tokenValidator failed to load', { code: error.code, error: error.message, attempt, retryInMs }),
});

const app = createUserServiceApp({
  validator,
  deadlineMs,
  health: () => ({ remotes: federation.remotes(), shared: federation.shared() }),
});

const server = app.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  log('info', 'listening', { url: `http://${host}:${actualPort}`, authRemoteUrl });
});
server.on('error', (error) => {
  log('error', 'cannot listen', { error: error.message });
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log('info', 'stopping', { signal });
    validator.close();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
