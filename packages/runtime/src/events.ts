import http from 'node:http';
import https from 'node:https';

export interface RegistryEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export interface EventStreamOptions {
  /** The registry's base URL. */
  registry: string;
  token?: string;
  onEvent: (event: RegistryEvent) => void;
  /** Told when the stream connects (after a reconnect too) and when it drops. */
  onConnected?: () => void;
  onDisconnected?: (reason: string, retryInMs: number) => void;
}

export interface EventStream {
  /** The id of the last event received: where a reconnect resumes. */
  lastEventId(): string | undefined;
  close(): void;
}

// Reconnect policy: quick at first, never hammering a registry that is down.
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 15_000;
const CONNECT_DEADLINE_MS = 5000;
// The registry sends a heartbeat every 15 s; a stream silent for this long is dead even if
// its TCP connection looks open (a proxy or NAT that dropped it without a reset).
const SILENCE_DEADLINE_MS = 45_000;

/**
 * Follows the registry's Server-Sent Events stream for as long as it is open: reconnects with
 * backoff and jitter, and resumes with `Last-Event-ID`, so no event is missed across drops.
 */
export function openEventStream(options: EventStreamOptions): EventStream {
  const url = new URL(`${options.registry.replace(/\/+$/, '')}/v1/events`);
  const transport = url.protocol === 'https:' ? https : http;
  let lastId: string | undefined;
  let failures = 0;
  let closed = false;
  let request: http.ClientRequest | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  function connect(): void {
    if (closed) return;
    let watchdog: NodeJS.Timeout | undefined;
    const dropped = (reason: string): void => {
      clearTimeout(watchdog);
      if (closed || request !== req) return;
      request = undefined;
      req.destroy();
      failures += 1;
      const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 10));
      const retryInMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
      options.onDisconnected?.(reason, retryInMs);
      retryTimer = setTimeout(connect, retryInMs);
      retryTimer.unref();
    };
    const arm = (ms: number, reason: string): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => dropped(reason), ms);
      watchdog.unref();
    };

    const req = transport.get(url, {
      headers: {
        accept: 'text/event-stream',
        ...(lastId && { 'last-event-id': lastId }),
        ...(options.token && { authorization: `Bearer ${options.token}` }),
      },
    });
    request = req;
    arm(CONNECT_DEADLINE_MS, `no answer from ${url.origin} within ${CONNECT_DEADLINE_MS} ms`);
    req.on('error', (error: NodeJS.ErrnoException) => dropped(error.code ?? error.message));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return dropped(`HTTP ${res.statusCode}`);
      }
      failures = 0;
      options.onConnected?.();
      arm(SILENCE_DEADLINE_MS, `no event or heartbeat for ${SILENCE_DEADLINE_MS} ms`);
      res.setEncoding('utf8');
      let buffered = '';
      res.on('data', (chunk: string) => {
        arm(SILENCE_DEADLINE_MS, `no event or heartbeat for ${SILENCE_DEADLINE_MS} ms`);
        buffered += chunk;
        let end = buffered.indexOf('\n\n');
        while (end !== -1) {
          dispatch(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          end = buffered.indexOf('\n\n');
        }
      });
      res.on('end', () => dropped('the registry closed the stream'));
      res.on('error', (error) => dropped(error.message));
    });
  }

  function dispatch(block: string): void {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const key = colon === -1 ? line : line.slice(0, colon);
      fields[key] = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    }
    if (!fields.id || !fields.event || fields.data === undefined) return;
    lastId = fields.id;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(fields.data);
    } catch {
      return;
    }
    options.onEvent({ id: fields.id, type: fields.event, data });
  }

  connect();
  return {
    lastEventId: () => lastId,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      request?.destroy();
    },
  };
}
