import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RELEASE_BUILD_INFO } from '@modmesh/manifest';
import express, { type NextFunction, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import { AuthError } from './errors.js';
import type { SigningKey } from './keys.js';
import type { Logger } from './log.js';
import { createLoginLimiter, type LoginLimitOptions } from './login-limit.js';
import { authenticate } from './users.js';

export interface AuthServiceOptions {
  signingKey: SigningKey;
  issuer: string;
  audience: string;
  /** Token lifetime. @default 900 */
  tokenTtlSeconds?: number;
  /** The built Module Federation container (`remoteEntry.js`, chunks, `mf-manifest.json`). */
  remoteDir: string;
  log: Logger;
  /** Failed logins allowed per username and per client address; false turns the limit off. @default DEFAULT_LOGIN_LIMITS */
  loginLimits?: LoginLimitOptions | false;
}

/** What the validator built beside the service trusts: from the build-time constants `modmesh build` records (modmesh.config.ts). */
export interface RemoteBuildInfo {
  trustedKids: string[];
  issuer: string;
  audience: string;
}

/** The build information `modmesh build` writes beside the container. */
export const BUILD_INFO_FILE = RELEASE_BUILD_INFO;

const DEFAULT_TOKEN_TTL_SECONDS = 15 * 60;

// Files of the container that hosts fetch. Everything else in the directory stays private.
const CONTAINER_FILE = /^(?:remoteEntry\.js|mf-manifest\.json|mf-stats\.json|[\w.-]+\.[0-9a-f]{12}\.js(?:\.map)?|remoteEntry\.js\.map)$/;
// The entry and the manifest keep their names across builds, so they must be revalidated;
// chunks carry a content hash in their names and never change.
const MUTABLE_CONTAINER_FILES = new Set(['remoteEntry.js', 'mf-manifest.json', 'mf-stats.json', 'remoteEntry.js.map']);

/**
 * The seed's Auth Service: `POST /login` issues ES256 tokens, and the Module Federation
 * container that exposes `./tokenValidator` is served to hosts over HTTP.
 */
export function createAuthServiceApp(options: AuthServiceOptions): express.Express {
  checkBuildTrustsKey(options);
  const ttl = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  const loginLimiter = options.loginLimits === false ? undefined : createLoginLimiter(options.loginLimits);
  const app = express();
  app.disable('x-powered-by');

  app.use(function accessLog(req, res, next) {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      options.log('info', 'request', { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  });

  app.get('/health', function health(_req, res) {
    res.json({ status: 'ok', kid: options.signingKey.kid });
  });

  app.get('/.well-known/jwks.json', function jwks(_req, res) {
    res.setHeader('cache-control', 'public, max-age=300');
    res.json({ keys: [options.signingKey.publicJwk] });
  });

  app.post('/login', express.json({ limit: '4kb' }), function login(req, res) {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      return sendError(res, 400, 'AUTH_BAD_REQUEST', 'Send JSON {"username": "...", "password": "..."}');
    }
    // Before the password is hashed: a flood of guesses costs no scrypt work.
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = loginLimiter?.retryAfter(username, address) ?? 0;
    if (wait > 0) {
      res.setHeader('retry-after', String(wait));
      return sendError(res, 429, 'AUTH_RATE_LIMITED', `Too many failed logins for this username or from this address; retry in ${wait} s`);
    }
    const user = authenticate(username, password);
    if (!user) {
      loginLimiter?.failed(username, address);
      return sendError(res, 401, 'AUTH_INVALID_CREDENTIALS', 'Wrong username or password');
    }
    loginLimiter?.succeeded(username);
    const { sub, ...claims } = user;
    const token = jwt.sign(claims, options.signingKey.privateKey, {
      algorithm: 'ES256',
      keyid: options.signingKey.kid,
      issuer: options.issuer,
      audience: options.audience,
      subject: sub,
      expiresIn: ttl,
    });
    res.json({ token, expiresIn: ttl });
  });

  app.get('/:file', function containerFile(req, res, next) {
    const file = req.params.file;
    if (!CONTAINER_FILE.test(file)) return next();
    res.sendFile(file, {
      root: options.remoteDir,
      dotfiles: 'deny',
      immutable: !MUTABLE_CONTAINER_FILES.has(file),
      maxAge: MUTABLE_CONTAINER_FILES.has(file) ? 0 : '365d',
      headers: MUTABLE_CONTAINER_FILES.has(file) ? { 'cache-control': 'no-cache' } : {},
    });
  });

  app.use(function notFound(_req, res) {
    sendError(res, 404, 'NOT_FOUND', 'No such route or file');
  });
  app.use(function errors(error: unknown, _req: Request, res: Response, _next: NextFunction) {
    const status = (error as { status?: number }).status ?? 500;
    if (status === 404) return sendError(res, 404, 'NOT_FOUND', 'No such route or file');
    if (status >= 400 && status < 500) return sendError(res, status, 'AUTH_BAD_REQUEST', (error as Error).message);
    options.log('error', 'unhandled error', { error: String((error as Error)?.stack ?? error) });
    sendError(res, 500, 'INTERNAL', 'Internal error');
  });
  return app;
}

// --- internal ---

function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

// A service whose own validator build would reject every token it issues is misconfigured in a
// way that otherwise only shows up as 403s in every host: refuse to start instead.
function checkBuildTrustsKey(options: AuthServiceOptions): void {
  const infoFile = path.join(options.remoteDir, BUILD_INFO_FILE);
  if (!existsSync(path.join(options.remoteDir, 'remoteEntry.js')) || !existsSync(infoFile)) {
    throw new AuthError(
      'AUTH_REMOTE_BUILD_MISSING',
      `no container build in ${options.remoteDir}`,
      'Build it first: npm run build:remote -w @modmesh-example/auth-service',
    );
  }
  const info = readBuildInfo(infoFile);
  if (!info.trustedKids.includes(options.signingKey.kid)) {
    throw new AuthError(
      'AUTH_BUILD_KEY_MISMATCH',
      `the validator built in ${options.remoteDir} does not trust this service's signing key (kid ${options.signingKey.kid}; it trusts ${info.trustedKids.join(', ')})`,
      'Rebuild the container with the current key: npm run build:remote -w @modmesh-example/auth-service',
    );
  }
  if (info.issuer !== options.issuer || info.audience !== options.audience) {
    throw new AuthError(
      'AUTH_BUILD_KEY_MISMATCH',
      `the validator in ${options.remoteDir} expects issuer "${info.issuer}" and audience "${info.audience}", this service issues "${options.issuer}" for "${options.audience}"`,
      'Build and run with the same AUTH_ISSUER and AUTH_AUDIENCE.',
    );
  }
}

/** What the validator in a container trusts, from its build information (modmesh-build.json). */
export function readBuildInfo(file: string): RemoteBuildInfo {
  const { defines } = JSON.parse(readFileSync(file, 'utf8')) as { defines?: Record<string, unknown> };
  const keys = defines?.__AUTH_TRUSTED_KEYS__;
  return {
    trustedKids: Array.isArray(keys) ? keys.map((key) => String((key as { kid?: unknown }).kid)) : [],
    issuer: String(defines?.__AUTH_ISSUER__),
    audience: String(defines?.__AUTH_AUDIENCE__),
  };
}
