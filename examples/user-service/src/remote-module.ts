import { type ErrorCode, isModmeshError, ModmeshError } from '@modmesh/manifest';

export type RemoteModuleState = 'loading' | 'ready' | 'failed';

export interface RemoteModuleStatus {
  id: string;
  state: RemoteModuleState;
  since: string;
  attempts: number;
  lastError?: { code: ErrorCode; message: string };
}

export interface RemoteModule<T> {
  /**
   * The module, once loaded. Until then it joins the load under way (or starts one) and waits
   * at most `deadlineMs`; past that, or when the load fails, it rejects with
   * `MODMESH_REMOTE_UNAVAILABLE` naming the cause.
   */
  get(deadlineMs: number): Promise<T>;
  status(): RemoteModuleStatus;
  /** Stops background retries. */
  close(): void;
}

export interface RemoteModuleOptions<T> {
  id: string;
  load: () => Promise<T>;
  onFailure?: (error: ModmeshError, attempt: number, retryInMs: number) => void;
  onReady?: (attempts: number) => void;
}

// Retry policy while a remote is down: exponential backoff with jitter (half the ceiling plus a
// random share of the other half), so a fleet of
// hosts that lost the same remote at the same time does not come back in lockstep.
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

// A request that finds the last attempt failed this recently answers with that failure instead
// of starting another attempt: a burst of requests must not become a burst on the remote.
const REQUEST_RETRY_FLOOR_MS = 1000;

/**
 * A remote module that loads in the background from the moment it is created, retries until
 * it loads, and never makes a caller wait past its deadline.
 */
export function createRemoteModule<T>(options: RemoteModuleOptions<T>): RemoteModule<T> {
  let state: RemoteModuleState = 'loading';
  let since = new Date();
  let attempts = 0;
  let value: T | undefined;
  let lastError: ModmeshError | undefined;
  let lastFailureAt = 0;
  let inFlight: Promise<T> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  function attempt(): Promise<T> {
    if (inFlight) return inFlight;
    clearTimeout(retryTimer);
    attempts += 1;
    inFlight = options.load().then(
      function loaded(module) {
        value = module;
        state = 'ready';
        since = new Date();
        inFlight = undefined;
        options.onReady?.(attempts);
        return module;
      },
      function failed(error: unknown) {
        lastError = isModmeshError(error) ? error : new ModmeshError('MODMESH_REMOTE_EVALUATION_FAILED', `${options.id}: ${String(error)}`, { cause: error });
        lastFailureAt = Date.now();
        if (state !== 'failed') since = new Date();
        state = 'failed';
        inFlight = undefined;
        const retryInMs = backoff(attempts);
        options.onFailure?.(lastError, attempts, retryInMs);
        if (!closed) retryTimer = setTimeout(() => void attempt().catch(() => {}), retryInMs).unref();
        throw lastError;
      },
    );
    return inFlight;
  }

  void attempt().catch(() => {});

  return {
    async get(deadlineMs) {
      if (state === 'ready') return value as T;
      const pending = inFlight ?? (Date.now() - lastFailureAt < REQUEST_RETRY_FLOOR_MS ? undefined : attempt());
      if (!pending) throw unavailable(options.id, lastError);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              unavailable(
                options.id,
                new ModmeshError('MODMESH_REMOTE_TIMEOUT', `${options.id}: still loading after ${deadlineMs} ms`, { remote: remoteOf(options.id) }),
              ),
            ),
          deadlineMs,
        );
      });
      try {
        return await Promise.race([pending.catch((error) => Promise.reject(unavailable(options.id, error))), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    status() {
      return {
        id: options.id,
        state,
        since: since.toISOString(),
        attempts,
        ...(state === 'failed' && lastError && { lastError: { code: lastError.code, message: lastError.message } }),
      };
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
    },
  };
}

// --- internal ---

function backoff(attempt: number): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 16));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function remoteOf(id: string): string | undefined {
  return id.split('/')[0];
}

function unavailable(id: string, cause: unknown): ModmeshError {
  const reason = isModmeshError(cause) ? `${cause.code}: ${cause.message}` : String(cause ?? 'not loaded yet');
  return new ModmeshError('MODMESH_REMOTE_UNAVAILABLE', `${id} is not available: ${reason}`, { remote: remoteOf(id), cause });
}
