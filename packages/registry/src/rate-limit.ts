import rateLimit, { type CreateRateLimitOptions } from '@fastify/rate-limit';
import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from './auth.js';
import { createBucketStore } from './token-buckets.js';

/**
 * The registry's budgets. Each is "N per minute, up to N at once": a token bucket that holds N
 * and refills N over a minute, so a burst is never refused unless it is sustained.
 */
export interface RateLimitOptions {
  /** Blob uploads (`PUT .../blobs/:sha256`) per publish token. @default 1200 */
  blobUploads?: number;
  /** Release publishes (`POST .../releases`) per publish token. @default 60 */
  releases?: number;
  /** Tag moves and rollbacks per publish token. @default 120 */
  tagMoves?: number;
  /** Requests carrying a token the registry does not know, per client IP address. @default 30 */
  authFailures?: number;
  /** Buckets kept per budget; past it the least recently used one is dropped. @default 10000 */
  maxTracked?: number;
}

/** The write budgets a route can draw from (see RegistryLimits.route). */
export type WriteBudget = 'blobUploads' | 'releases' | 'tagMoves';

/**
 * The registry's rate limits, on @fastify/rate-limit with a token-bucket store (see
 * createBucketStore). Each replica counts for itself: packages/registry/README.md says why.
 */
export interface RegistryLimits {
  /** Registers the limiter on the app; routes registered after it draw from the budget their `route()` config names. */
  register(app: FastifyInstance): Promise<void>;
  /** The route config that takes one from `budget` for the request's publish token, in onRequest: before its body is read. */
  route(budget: WriteBudget): Pick<FastifyContextConfig, 'rateLimit'>;
  /**
   * Who the request is, refusing it with MODMESH_RATE_LIMITED, before its token is even looked
   * up, while its client address is over its budget of unknown tokens.
   */
  identify(request: FastifyRequest, reply: FastifyReply, identify: (authorization: string | undefined) => Promise<Principal>): Promise<Principal>;
}

export const DEFAULT_RATE_LIMITS: Required<RateLimitOptions> = {
  // A publish uploads every file of the build that the registry lacks (about 10 for the
  // example services, hundreds for a large web build; the CLI skips files already stored): one
  // large build, or a hundred ordinary ones, a minute.
  blobUploads: 1200,
  // Each publish re-reads and re-hashes every file and verifies a signature: the expensive
  // write, and one a CI pipeline (one token per remote) makes a few times an hour.
  releases: 60,
  // Moves come with publishes (one per environment tag) and rollbacks come by hand.
  tagMoves: 120,
  // Tokens are 192 random bits, so guessing is hopeless; this keeps a guessing flood from
  // costing a store lookup per request, while a mistyped token in a retry loop still gets
  // its coded 401 every two seconds.
  authFailures: 30,
  // A bucket is a few dozen bytes: about a megabyte per budget at most.
  maxTracked: 10_000,
};

const MINUTE_MS = 60_000;

/**
 * The registry's rate limits, or none with `false`. Writes are counted per publish token (the
 * admin token is the operator's: it can mint tokens at will, so a budget on it would protect
 * nothing and stop bulk imports); unknown tokens per client address (the socket's, never a
 * forwarded header a client can set; an IPv6 address counts with its /64, which one client holds).
 */
export function createRegistryLimits(options: RateLimitOptions | false | undefined, now?: () => number): RegistryLimits {
  if (options === false) {
    return { register: async () => {}, route: () => ({}), identify: (request, _reply, identify) => identify(request.headers.authorization) };
  }
  const budgets = { ...DEFAULT_RATE_LIMITS, ...definedOnly(options ?? {}) };
  for (const [name, value] of Object.entries(budgets)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ModmeshError('MODMESH_USAGE', `rate limit ${name} must be a whole number of at least 1, not ${value}`, {
        hint: 'Turn rate limiting off with rateLimit: false (--no-rate-limit) instead of a zero budget.',
      });
    }
  }
  let unknownTokens: ReturnType<FastifyInstance['createRateLimit']> | undefined;

  return {
    async register(app) {
      await app.register(rateLimit, {
        global: false,
        hook: 'onRequest',
        timeWindow: MINUTE_MS,
        store: createBucketStore(budgets.maxTracked, now),
        // Only Retry-After, as before the library: no X-RateLimit-* headers on every answer.
        addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
        addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
      });
      unknownTokens = app.createRateLimit({ max: budgets.authFailures, timeWindow: MINUTE_MS, groupId: 'authFailures' } as CreateRateLimitOptions);
    },
    route(budget) {
      return {
        rateLimit: {
          max: budgets[budget],
          groupId: budget,
          keyGenerator: (request) => request.principal.id,
          // Only publish tokens have budgets; anyone else is the admin or is refused by the route.
          allowList: (request) => request.principal?.kind !== 'publish',
          errorResponseBuilder(request, context) {
            const { principal } = request;
            const seconds = retryAfter(context.ttl / 1000);
            const made = `${budgets[budget]} ${WRITE_LABELS[budget]}`;
            return new ModmeshError('MODMESH_RATE_LIMITED', `publish token ${principal.id} made more than ${made} in a minute; retry in ${seconds} s`, {
              remote: principal.kind === 'publish' ? principal.remote : undefined,
            });
          },
        },
      };
    },
    async identify(request, reply, identify) {
      const { authorization } = request.headers;
      if (authorization === undefined || !unknownTokens) return identify(authorization);
      const state = await unknownTokens(request, { increment: false });
      if (!state.isAllowed && state.isExceeded) {
        throw refuse(reply, state.ttl / 1000, `${request.ip} sent more than ${budgets.authFailures} unknown tokens in a minute`);
      }
      try {
        return await identify(authorization);
      } catch (error) {
        if (isModmeshError(error) && error.code === 'MODMESH_AUTH_REQUIRED') await unknownTokens(request);
        throw error;
      }
    },
  };
}

// --- internal ---

const WRITE_LABELS: Record<WriteBudget, string> = {
  blobUploads: 'blob uploads',
  releases: 'release publishes',
  tagMoves: 'tag moves',
};

function retryAfter(waitSeconds: number): number {
  return Math.max(1, Math.ceil(waitSeconds));
}

function refuse(reply: FastifyReply, waitSeconds: number, message: string): ModmeshError {
  const seconds = retryAfter(waitSeconds);
  reply.header('retry-after', String(seconds));
  return new ModmeshError('MODMESH_RATE_LIMITED', `${message}; retry in ${seconds} s`);
}

function definedOnly(options: RateLimitOptions): RateLimitOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
