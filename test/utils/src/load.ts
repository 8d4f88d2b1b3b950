import { createRequire } from 'node:module';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  /** Requests per second over all connections. @default 100 */
  rate?: number;
  /** @default 4 */
  connections?: number;
  /** A request unanswered for this long counts as failed. @default 5000 */
  timeoutMs?: number;
}

export interface LoadResult {
  /** Requests answered or failed. */
  requests: number;
  /** Answers with a 2xx status. */
  ok: number;
  /** Answers with another status. */
  non2xx: number;
  /** Requests that got no answer: connection errors and timeouts. */
  errors: number;
  /** Answers by HTTP status, for a failure message. */
  statuses: Record<string, number>;
  durationMs: number;
}

export interface Load {
  /** Requests answered or failed so far. */
  requests(): number;
  /** Stops sending and resolves with what happened. */
  stop(): Promise<LoadResult>;
}

/**
 * A steady stream of requests from autocannon (a real HTTP client, outside the server's own
 * process) to one URL, until `stop()`: what a service's clients would notice while something
 * else goes wrong.
 */
export function startLoad(options: LoadOptions): Load {
  const started = performance.now();
  const counts = { ok: 0, non2xx: 0, errors: 0 };
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url: options.url,
    headers: options.headers,
    connections: options.connections ?? 4,
    overallRate: options.rate ?? 100,
    timeout: Math.ceil((options.timeoutMs ?? 5000) / 1000),
    duration: MAX_LOAD_SECONDS,
  });
  instance.on('response', (_client: unknown, statusCode: number) => {
    counts[statusCode >= 200 && statusCode < 300 ? 'ok' : 'non2xx'] += 1;
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  instance.on('reqError', () => {
    counts.errors += 1;
  });
  const done = new Promise<void>((resolve) => instance.on('done', () => resolve()));

  return {
    requests: () => counts.ok + counts.non2xx + counts.errors,
    async stop() {
      instance.stop();
      await done;
      return { requests: counts.ok + counts.non2xx + counts.errors, ...counts, statuses, durationMs: Math.round(performance.now() - started) };
    },
  };
}

// --- internal ---

// autocannon ships no types; this is the part of its API used here.
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number) => void): void;
  on(event: 'reqError' | 'done', listener: () => void): void;
  stop(): void;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => AutocannonInstance;

// Long enough for any test; a load always ends with stop().
const MAX_LOAD_SECONDS = 3600;
