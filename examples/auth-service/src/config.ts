import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RELEASE_TARGET_DIRS } from '@modmesh/manifest';
import { AuthError } from './errors.js';
import type { LoginLimitOptions } from './login-limit.js';

/** Where the auth service finds its files, and the claims its tokens carry: one place for the
 * server, the container builds and `npm start`, so none of them can disagree about a path. */
export interface AuthConfig {
  envFile: string;
  /** The release `modmesh build` writes and `npm start` publishes: the Node and browser containers side by side. */
  releaseDir: string;
  /** The Node container (./tokenValidator), which the service also serves over HTTP, as the source documents describe. */
  remoteDir: string;
  /** The browser container (./LoginForm). */
  webDir: string;
  issuer: string;
  audience: string;
}

// The service's directory, from src/ (modmesh.config.ts reads this file as it is) or dist/server/.
const packageDir = findPackageDir(path.dirname(fileURLToPath(import.meta.url)));

/**
 * The auth service's paths and claims. The release (`AUTH_RELEASE_DIR`) is where modmesh.config.ts
 * builds both containers; `AUTH_REMOTE_DIR` makes the service serve a Node container built
 * elsewhere (tests and benchmarks build into temporary directories).
 */
export function readAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const releaseDir = path.resolve(env.AUTH_RELEASE_DIR ?? path.join(packageDir, 'dist/release'));
  return {
    envFile: path.resolve(env.AUTH_ENV_FILE ?? path.join(packageDir, '.env')),
    releaseDir,
    remoteDir: path.resolve(env.AUTH_REMOTE_DIR ?? path.join(releaseDir, RELEASE_TARGET_DIRS.node)),
    webDir: path.join(releaseDir, RELEASE_TARGET_DIRS.web),
    issuer: env.AUTH_ISSUER ?? 'modmesh-example-auth',
    audience: env.AUTH_AUDIENCE ?? 'modmesh-example-api',
  };
}

// The environment variables that tune POST /login's brute-force limits (see login-limit.ts).
const LOGIN_LIMIT_ENV = {
  perUsername: 'AUTH_LOGIN_MAX_FAILURES',
  perAddress: 'AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS',
  windowSeconds: 'AUTH_LOGIN_WINDOW_SECONDS',
} as const;

/**
 * POST /login's limits from the environment; unset ones keep their defaults.
 * `AUTH_LOGIN_LIMITS=off` turns them off, in development mode only (load tests on a laptop).
 */
export function readLoginLimits(env: NodeJS.ProcessEnv): LoginLimitOptions | false {
  if (env.AUTH_LOGIN_LIMITS === 'off') {
    if (env.NODE_ENV === 'development') return false;
    throw new AuthError(
      'AUTH_CONFIG_INVALID',
      'AUTH_LOGIN_LIMITS=off leaves POST /login open to password guessing; it is honoured only with NODE_ENV=development',
      'Raise AUTH_LOGIN_MAX_FAILURES and AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS instead.',
    );
  }
  const limits: LoginLimitOptions = {};
  for (const [option, name] of Object.entries(LOGIN_LIMIT_ENV) as [keyof typeof LOGIN_LIMIT_ENV, string][]) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new AuthError(
        'AUTH_CONFIG_INVALID',
        `${name} must be a whole number of at least 1, not ${JSON.stringify(text)}`,
        `Unset ${name} to use the default.`,
      );
    }
    limits[option] = value;
  }
  return limits;
}

function findPackageDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}
