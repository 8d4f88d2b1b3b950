import { createParser } from 'eventsource-parser';
import { backoffMs } from './backoff.js';
import { createFetchTransport } from './fetch-transport.js';
import { DEFAULT_DEADLINES, type Transport } from './transport.js';
import type { EventData, EventType, RegistryStreamEvent } from './types.js';

export interface EventStreamOptions {
  /** The registry's origin (see registryOrigin). */
  url: string;
  /** Sent as `Authorization: Bearer ...`: a registry that needs tokens for reads needs one here too. */
  token?: string | undefined;
  transport?: Transport;
  /** Resume after this event; `'latest'` for only what happens from now on. @default everything after the registry's oldest event */
  lastEventId?: string;
  onEvent: (event: RegistryStreamEvent) => void;
  /** Told when the stream connects (after a reconnect too). */
  onConnected?: () => void;
  /** Told when it drops, with why and when it tries again. */
  onDisconnected?: (reason: string, retryInMs: number) => void;
}

export interface EventStream {
  /** The id of the last event received: where a reconnect resumes. */
  lastEventId(): string | undefined;
  close(): void;
}

// The registry sends a heartbeat every 15 s; a stream silent for this long is dead even if its
// connection looks open (a proxy or NAT that dropped it without a reset).
const SILENCE_DEADLINE_MS = 45_000;
// One event is a few hundred bytes; a server sending more than this without ending an event is
// not a registry, and is not buffered.
const MAX_EVENT_BYTES = 256 * 1024;
const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>(['release.published', 'tag.moved', 'tuf.updated']);

/**
 * Follows the registry's event stream (`GET /v1/events`, Server-Sent Events) for as long as it
 * is open: reconnects with the one backoff policy, resumes with `Last-Event-ID` so that no event
 * is missed or repeated across drops, and drops a stream that goes silent or sends more than an
 * event can be. Works with tokens in browsers too (fetch, not EventSource).
 */
export function openEventStream(options: EventStreamOptions): EventStream {
  const transport = options.transport ?? createFetchTransport();
  const url = `${options.url.replace(/\/+$/, '')}/v1/events`;
  let lastId = options.lastEventId;
  let failures = 0;
  let closed = false;
  let abort: AbortController | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  async function follow(): Promise<void> {
    if (closed) return;
    const controller = new AbortController();
    abort = controller;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let why = 'the registry closed the stream';
    const arm = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        why = `no event or heartbeat for ${SILENCE_DEADLINE_MS} ms`;
        controller.abort();
      }, SILENCE_DEADLINE_MS);
      unref(watchdog);
    };
    try {
      // Where to resume goes in the query (the registry reads it there as well as from the
      // Last-Event-ID header): a header would make every cross-origin page's reconnect a CORS
      // preflight. `latest` is the registry's keyword for "from now on".
      const resume = lastId === undefined ? '' : `?lastEventId=${encodeURIComponent(lastId)}`;
      const exchange = await transport.send({
        method: 'GET',
        url: `${url}${resume}`,
        headers: {
          accept: 'text/event-stream',
          ...(options.token && { authorization: `Bearer ${options.token}` }),
        },
        deadlines: DEFAULT_DEADLINES,
        stream: true,
        signal: controller.signal,
      });
      if (exchange.status !== 200) {
        exchange.cancel();
        throw new Error(`HTTP ${exchange.status}`);
      }
      failures = 0;
      // Still 'latest' until an event arrives: a reconnect before then asks for "from now on"
      // again, and the host checks every remote after a reconnect (onConnected) for what it missed.
      options.onConnected?.();
      arm();
      const parser = createParser({
        maxBufferSize: MAX_EVENT_BYTES,
        onEvent(message) {
          if (!message.id || !message.event || !EVENT_TYPES.has(message.event)) return;
          lastId = message.id;
          let data: unknown;
          try {
            data = JSON.parse(message.data);
          } catch {
            return;
          }
          if (data && typeof data === 'object') {
            options.onEvent({ id: message.id, type: message.event as EventType, data: data as EventData[EventType] } as RegistryStreamEvent);
          }
        },
        onError(error) {
          if (error.type === 'max-buffer-size-exceeded') {
            why = `an event larger than ${MAX_EVENT_BYTES} bytes`;
            controller.abort();
          }
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of exchange.chunks()) {
        arm();
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (controller.signal.aborted) break;
      }
      exchange.cancel();
    } catch (error) {
      if (!controller.signal.aborted) why = describe(error);
    } finally {
      clearTimeout(watchdog);
    }
    if (closed || abort !== controller) return;
    failures += 1;
    const retryInMs = backoffMs(failures);
    options.onDisconnected?.(why, retryInMs);
    retryTimer = setTimeout(() => void follow(), retryInMs);
    unref(retryTimer);
  }

  void follow();
  return {
    lastEventId: () => (lastId === 'latest' ? undefined : lastId),
    close() {
      closed = true;
      clearTimeout(retryTimer);
      abort?.abort();
    },
  };
}

// --- internal ---

function describe(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

// A Node process must not stay alive for a stream it follows; a browser has no unref.
function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}
