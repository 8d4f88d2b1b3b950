import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';

/** Per-key token buckets in bounded memory. */
export interface RateLimiter {
  /** Takes one from `key`'s bucket: 0 when it could, otherwise the seconds until it can. */
  take(key: string): number;
  /** The seconds until `key` can take one (0: now), without taking it. */
  wait(key: string): number;
  /** Buckets held now. */
  size(): number;
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

/**
 * @fastify/rate-limit's store, as token buckets: its own store counts requests in fixed
 * windows, which after a burst holds a client for the rest of the minute (Retry-After up to 60 s
 * for any budget) and lets twice the budget through across a window's edge. One set of buckets
 * per budget (`groupId`), shared by every route that draws from it (a tag move and a rollback).
 * A store answers `current` above `max` for "refused": here, when the bucket has no whole token.
 */
export function createBucketStore(maxKeys: number, now: () => number = monotonicSeconds): FastifyRateLimitStoreCtor {
  const budgets = new Map<string, RateLimiter>();
  const bucketsOf = (group: string, max: number, timeWindowMs: number): RateLimiter => {
    let limiter = budgets.get(group);
    if (!limiter) {
      limiter = createRateLimiter({ capacity: max, perSecond: max / (timeWindowMs / 1000), maxKeys, now });
      budgets.set(group, limiter);
    }
    return limiter;
  };
  const answer = (waitSeconds: number, max: number) => (waitSeconds > 0 ? { current: max + 1, ttl: waitSeconds * 1000 } : { current: 0, ttl: 0 });

  return class BucketStore implements FastifyRateLimitStore {
    readonly group: string;
    constructor(options: { groupId?: string } = {}) {
      this.group = options.groupId ?? '';
    }
    incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void {
      callback(null, answer(bucketsOf(this.group, max, timeWindow).take(key), max));
    }
    read(key: string, callback: StoreCallback, timeWindow: number, max: number): void {
      callback(null, answer(bucketsOf(this.group, max, timeWindow).wait(key), max));
    }
    // Given the route's merged limiter options (typed by the library as the route's options).
    child(routeOptions: object): FastifyRateLimitStore {
      return new BucketStore(routeOptions as { groupId?: string });
    }
  };
}

// --- internal ---

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in seconds. */
  at: number;
}

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

function monotonicSeconds(): number {
  return performance.now() / 1000;
}
