// The User Service process: reads its configuration from the environment, follows the auth
// service's token validator through the modmesh registry, and serves until SIGINT/SIGTERM.
//
// The mesh is created before the web framework is even loaded: resolving and verifying the
// validator at the registry then overlaps with loading express and the app, instead of
// waiting for them. The shared packages are handed over lazily, by require, for the same reason.
import { createRequire } from 'node:module';
import { ModmeshError } from '@modmesh/manifest/errors';
import { createMesh, hostTrustFromEnv, jsonLogger } from '@modmesh/runtime';
import type { TokenValidatorModule } from './app.js';
import { answerClientErrors } from './client-errors.js';

const require = createRequire(import.meta.url);
const log = jsonLogger('user-service');

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const deadlineMs = Number(process.env.AUTH_DEADLINE_MS ?? 5000);

async function main(): Promise<void> {
  const mesh = createMesh({
    registry: process.env.MODMESH_REGISTRY ?? 'http://127.0.0.1:4000',
    remotes: { auth: process.env.AUTH_REMOTE ?? 'auth@stable' },
    // A root of trust (MODMESH_ROOT: `npm start` makes a dev one), or the auth publisher's keys (MODMESH_TRUST_AUTH).
    ...hostTrustFromEnv(['auth'], process.env),
    // For a registry started with --require-read-token.
    token: process.env.MODMESH_READ_TOKEN,
    cacheDir: process.env.MODMESH_CACHE_DIR ?? '.modmesh/cache/user-service',
    name: 'user_service',
    service: 'user-service',
    // Provided from this service's own node_modules: the remote's code uses these very copies.
    shared: {
      jsonwebtoken: { version: require('jsonwebtoken/package.json').version, lib: () => require('jsonwebtoken'), requiredVersion: '^9.0.0' },
      express: { version: require('express/package.json').version, lib: () => require('express'), requiredVersion: '^5.0.0' },
    },
    deadlines: { firstByteMs: deadlineMs, totalMs: deadlineMs * 3 },
    // V8's compiled code of the releases it runs, kept on disk and vouched for by this secret
    // (never stored beside it): a restart, or another host given the same directory and key,
    // does not compile the same verified bytes again. Without it, compiled code stays in memory.
    codeCache: process.env.MODMESH_CODE_CACHE_KEY ? { key: process.env.MODMESH_CODE_CACHE_KEY, dir: process.env.MODMESH_CODE_CACHE_DIR } : undefined,
    log,
  });

  const { createUserServiceApp } = await import('./app.js');
  const app = createUserServiceApp({
    validator: mesh.live<TokenValidatorModule>('auth/tokenValidator'),
    deadlineMs,
    health: () => {
      // trust: with a root, the versions of the verified TUF metadata and when they expire.
      const { remotes, shared, events, trust } = mesh.status();
      return { remotes, shared, events, ...(trust && { trust }) };
    },
    metrics: () => mesh.metrics(),
  });

  const server = app.listen(port, host, () => {
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    log('info', 'listening', { url: `http://${host}:${actualPort}` });
  });
  server.on('error', (error) => {
    log('error', 'cannot listen', { error: error.message });
    process.exit(1);
  });
  answerClientErrors(server);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log('info', 'stopping', { signal });
      server.close(() => void mesh.close().finally(() => process.exit(0)));
      server.closeAllConnections();
    });
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof ModmeshError)) throw error;
  log('error', error.message, { code: error.code, hint: error.hint });
  process.exitCode = 1;
}
