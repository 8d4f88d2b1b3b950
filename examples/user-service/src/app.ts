import { isModmeshError, ModmeshError } from '@modmesh/manifest/errors';
import type { LiveModule } from '@modmesh/runtime';
import express, { type NextFunction, type Request, type Response } from 'express';

/** What `auth/tokenValidator` exports: the seed's contract. */
export interface TokenValidatorModule {
  validateJwtToken(token: string): ValidationResult | Promise<ValidationResult>;
}

/** `code` (TOKEN_EXPIRED, TOKEN_SIGNATURE_INVALID...) comes from validators that give one. */
export type ValidationResult = { isValid: true; user: AuthenticatedUser } | { isValid: false; error: string; code?: string };

export interface AuthenticatedUser {
  sub: string;
  username: string;
  [claim: string]: unknown;
}

export interface UserServiceAppOptions {
  /** The federated validator: always the release that runs now. */
  validator: LiveModule<TokenValidatorModule>;
  /** How long a request waits for the validator to load before answering 503. @default 5000 */
  deadlineMs?: number;
  /** Extra detail for `GET /health`. */
  health?: () => Record<string, unknown>;
  /** Prometheus text for `GET /metrics`. */
  metrics?: () => string;
}

type Locals = { user: AuthenticatedUser };

const DEFAULT_DEADLINE_MS = 5000;

/** The seed's User Service: `GET /health`, then every route behind the federated validator. */
export function createUserServiceApp(options: UserServiceAppOptions): express.Express {
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));

  // Answers whatever the state of the auth service: it is how an orchestrator tells "this
  // process is alive" from "a dependency is down".
  app.get('/health', function health(_req, res) {
    res.json({ status: 'ok', validator: { version: options.validator.version() ?? null }, ...options.health?.() });
  });
  app.get('/metrics', function metrics(_req, res) {
    res.type('text/plain; version=0.0.4').send(options.metrics?.() ?? '');
  });

  app.use(async function authenticate(req: Request, res: Response<unknown, Locals>, next: NextFunction) {
    const header = req.headers.authorization;
    if (!header) return sendError(res, 401, 'AUTH_HEADER_MISSING', 'No authorization header');
    const [scheme, token] = header.split(' ');
    if (!token || scheme?.toLowerCase() !== 'bearer') {
      return sendError(res, 401, 'AUTH_TOKEN_MISSING', 'Token not provided: send "Authorization: Bearer <token>"');
    }

    let validator: TokenValidatorModule;
    try {
      validator = await options.validator.get(deadlineMs);
      if (typeof validator?.validateJwtToken !== 'function') {
        throw new ModmeshError('MODMESH_EXPOSE_NOT_FOUND', `auth/tokenValidator ${options.validator.version() ?? ''} has no validateJwtToken function`, {
          remote: 'auth',
        });
      }
    } catch (error) {
      if (!isModmeshError(error)) return next(error);
      res.setHeader('retry-after', '5');
      return res.status(503).json({ error: error.toJSON() });
    }

    const result = await validator.validateJwtToken(token);
    if (!result.isValid) return sendError(res, 403, 'AUTH_TOKEN_INVALID', `Invalid token: ${result.error}`, result.code ? { reason: result.code } : undefined);
    res.locals.user = result.user;
    next();
  });

  app.get('/profile', function profile(_req, res: Response<unknown, Locals>) {
    const { user } = res.locals;
    res.json({ message: `Welcome ${user.username}! This is your profile.`, user });
  });

  app.use(function notFound(_req, res) {
    sendError(res, 404, 'NOT_FOUND', 'No such route');
  });
  app.use(function internalError(error: unknown, _req: Request, res: Response, _next: NextFunction) {
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500) return sendError(res, status, 'BAD_REQUEST', (error as Error).message);
    sendError(res, 500, 'INTERNAL', 'Internal error');
  });
  return app;
}

// --- internal ---

function sendError(res: Response, status: number, code: string, message: string, extra?: Record<string, unknown>): void {
  res.status(status).json({ error: { code, message, ...extra } });
}
