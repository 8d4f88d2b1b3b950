// The one retry policy: every retry a host, a page or the event stream makes waits this long.

// Exponential backoff with jitter, from a quarter second to ten seconds: quick to recover from a
// blip, never hammering a registry that is down, and spread out so that a thousand hosts that
// lost the registry at once do not all come back in the same instant.
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

/**
 * How long to wait before attempt `attempt` (1, 2, ...) after as many failures: between half and
 * all of the attempt's ceiling.
 *
 * @example
 * backoffMs(1) // 125-250
 * backoffMs(8) // 5000-10000
 */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(Math.max(attempt, 1) - 1, 16));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
