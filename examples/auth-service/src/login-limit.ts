import { createHash } from 'node:crypto';

export interface LoginLimitOptions {
  /** Failed logins for one username within a window, from anywhere. @default 5 */
  perUsername?: number;
  /** Failed logins from one client address within a window, for any usernames. @default 50 */
  perAddress?: number;
  /** @default 900 (15 minutes) */
  windowSeconds?: number;
  /** Usernames and addresses tracked at once; past it the oldest window goes. @default 10000 */
  maxTracked?: number;
}

export interface LoginLimiter {
  /** Seconds until a login for `username` from `address` may be tried; 0: now. */
  retryAfter(username: string, address: string): number;
  failed(username: string, address: string): void;
  /** A correct password clears the username's failures (never the address's). */
  succeeded(username: string): void;
}

export const DEFAULT_LOGIN_LIMITS: Required<LoginLimitOptions> = {
  // Enough for a person who mistypes, far too few to guess a password with.
  perUsername: 5,
  // Credential stuffing tries many usernames from one place; ten people behind one NAT who
  // each use up their five tries still get through.
  perAddress: 50,
  windowSeconds: 15 * 60,
  // An entry is under a hundred bytes: about a megabyte per map at most.
  maxTracked: 10_000,
};

/**
 * Counts failed logins per username and per client address in fixed windows that start at the
 * first failure. Once either count reaches its limit, logins for that username (or from that
 * address) are refused until the window ends, correct password or not, so a guesser learns
 * nothing from trying on.
 */
export function createLoginLimiter(options: LoginLimitOptions = {}, now: () => number = Date.now): LoginLimiter {
  const limits = { ...DEFAULT_LOGIN_LIMITS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
  const usernames = createWindows(limits.windowSeconds * 1000, limits.maxTracked, now);
  const addresses = createWindows(limits.windowSeconds * 1000, limits.maxTracked, now);

  return {
    retryAfter(username, address) {
      const wait = Math.max(usernames.blockedFor(keyOf(username), limits.perUsername), addresses.blockedFor(address, limits.perAddress));
      return Math.ceil(wait / 1000);
    },
    failed(username, address) {
      usernames.count(keyOf(username));
      addresses.count(address);
    },
    succeeded(username) {
      usernames.clear(keyOf(username));
    },
  };
}

// --- internal ---

interface Windows {
  /** Milliseconds until `key` is below `limit` again; 0 when it is now. */
  blockedFor(key: string, limit: number): number;
  count(key: string): void;
  clear(key: string): void;
}

function createWindows(windowMs: number, maxTracked: number, now: () => number): Windows {
  // Insertion order is the order windows started in, so the first entry ends first.
  const windows = new Map<string, { failures: number; endsAt: number }>();
  const live = (key: string) => {
    const window = windows.get(key);
    if (window && window.endsAt <= now()) windows.delete(key);
    return window && window.endsAt > now() ? window : undefined;
  };
  return {
    blockedFor(key, limit) {
      const window = live(key);
      return window && window.failures >= limit ? window.endsAt - now() : 0;
    },
    count(key) {
      const window = live(key);
      if (window) {
        window.failures += 1;
        return;
      }
      if (windows.size >= maxTracked) windows.delete(windows.keys().next().value as string);
      windows.set(key, { failures: 1, endsAt: now() + windowMs });
    },
    clear: (key) => void windows.delete(key),
  };
}

// A username can be as long as the request body allows: kept as a fixed-size digest.
function keyOf(username: string): string {
  return createHash('sha256').update(username).digest('base64url');
}
