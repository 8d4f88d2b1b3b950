import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from './auth.js';

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

/** The write budgets a route can draw from (its `config.rateLimit`). */
export type WriteBudget = 'blobUploads' | 'releases' | 'tagMoves';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The budget of the principal's this route draws one from, before its body is read. */
    rateLimit?: WriteBudget;
  }
}

export interface RegistryLimits {
  /**
   * Who the request is, refusing it with MODMESH_RATE_LIMITED, before its token is even looked
   * up, while its client address is over its budget of unknown tokens.
   */
  identify(request: FastifyRequest, reply: FastifyReply, identify: (authorization: string | undefined) => Promise<Principal>): Promise<Principal>;
  /** Takes one from the write budget of the route for the request's publish token, or refuses the request. */
  checkWrite(request: FastifyRequest, reply: FastifyReply): void;
}

/** Per-key token buckets in bounded memory. */
export interface RateLimiter {
  /** Takes one from `key`'s bucket: 0 when it could, otherwise the seconds until it can. */
  take(key: string): number;
  /** The seconds until `key` can take one (0: now), without taking it. */
  wait(key: string): number;
  /** Buckets held now. */
  size(): number;
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

const PER_MINUTE = 60;

/**
 * The registry's rate limits, or none with `false`. Writes are counted per publish token (the
 * admin token is the operator's: it can mint tokens at will, so a budget on it would protect
 * nothing and stop bulk imports); unknown tokens per client address (the socket's, never a
 * forwarded header a client can set).
 */
export function createRegistryLimits(options: RateLimitOptions | false | undefined, now: () => number = monotonicSeconds): RegistryLimits {
  if (options === false) {
    return { identify: (request, _reply, identify) => identify(request.headers.authorization), checkWrite: () => {} };
  }
  const budgets = { ...DEFAULT_RATE_LIMITS, ...definedOnly(options ?? {}) };
  for (const [name, value] of Object.entries(budgets)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ModmeshError('MODMESH_USAGE', `rate limit ${name} must be a whole number of at least 1, not ${value}`, {
        hint: 'Turn rate limiting off with rateLimit: false (--no-rate-limit) instead of a zero budget.',
      });
    }
  }
  const bucketsOf = (perMinute: number): RateLimiter =>
    createRateLimiter({ capacity: perMinute, perSecond: perMinute / PER_MINUTE, maxKeys: budgets.maxTracked, now });
  const writes: Record<WriteBudget, RateLimiter> = {
    blobUploads: bucketsOf(budgets.blobUploads),
    releases: bucketsOf(budgets.releases),
    tagMoves: bucketsOf(budgets.tagMoves),
  };
  const authFailures = bucketsOf(budgets.authFailures);

  return {
    async identify(request, reply, identify) {
      const { authorization } = request.headers;
      if (authorization === undefined) return identify(authorization);
      const wait = authFailures.wait(request.ip);
      if (wait > 0) {
        throw refuse(reply, wait, `${request.ip} sent more than ${budgets.authFailures} unknown tokens in a minute`);
      }
      try {
        return await identify(authorization);
      } catch (error) {
        if (isModmeshError(error) && error.code === 'MODMESH_AUTH_REQUIRED') authFailures.take(request.ip);
        throw error;
      }
    },
    checkWrite(request, reply) {
      const budget = request.routeOptions.config?.rateLimit;
      const { principal } = request;
      if (!budget || principal?.kind !== 'publish') return;
      const wait = writes[budget].take(principal.id);
      if (wait > 0) {
        throw refuse(reply, wait, `publish token ${principal.id} made more than ${budgets[budget]} ${WRITE_LABELS[budget]} in a minute`, {
          remote: principal.remote,
        });
      }
    },
  };
}

/**
 * Token buckets per key: each holds up to `capacity` and refills `perSecond`. Memory is bounded
 * by `maxKeys`: past it the least recently used bucket is dropped. That one has had the longest
 * to refill, so it is the likeliest to be full, and a full bucket is the same as none.
 */
export function createRateLimiter(options: { capacity: number; perSecond: number; maxKeys: number; now?: () => number }): RateLimiter {
  const { capacity, perSecond, maxKeys } = options;
  const now = options.now ?? monotonicSeconds;
  // Insertion order is recency order: a bucket is re-inserted whenever it is used.
  const buckets = new Map<string, Bucket>();

  const tokensOf = (bucket: Bucket | undefined, at: number): number => (bucket ? Math.min(capacity, bucket.tokens + (at - bucket.at) * perSecond) : capacity);
  const secondsUntilOne = (tokens: number): number => (tokens >= 1 ? 0 : (1 - tokens) / perSecond);

  return {
    take(key) {
      const at = now();
      const tokens = tokensOf(buckets.get(key), at);
      buckets.delete(key);
      if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
      buckets.set(key, { tokens: tokens >= 1 ? tokens - 1 : tokens, at });
      return secondsUntilOne(tokens);
    },
    // Looking does not make a bucket: only taking does.
    wait: (key) => secondsUntilOne(tokensOf(buckets.get(key), now())),
    size: () => buckets.size,
  };
}

// --- internal ---

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in seconds. */
  at: number;
}

const WRITE_LABELS: Record<WriteBudget, string> = {
  blobUploads: 'blob uploads',
  releases: 'release publishes',
  tagMoves: 'tag moves',
};

function refuse(reply: FastifyReply, waitSeconds: number, message: string, subject: { remote?: string } = {}): ModmeshError {
  const retryAfter = Math.max(1, Math.ceil(waitSeconds));
  reply.header('retry-after', String(retryAfter));
  return new ModmeshError('MODMESH_RATE_LIMITED', `${message}; retry in ${retryAfter} s`, subject);
}

function monotonicSeconds(): number {
  return performance.now() / 1000;
}

function definedOnly(options: RateLimitOptions): RateLimitOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
