import type { RegistryStreamEvent } from '@modmesh/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MetadataStore, RegistryEvent } from './storage/types.js';

export interface EventHub {
  /**
   * Says that events were committed (by this process: `events`; or by another replica, through
   * the storage's watch). The hub reads every event after the last one it delivered from storage
   * and delivers them in id order, so all replicas send the same events in the same order.
   */
  publish(events?: RegistryEvent[]): void;
  /**
   * Calls `listener` at every publish (events committed here, or possibly by another replica),
   * before they are read: what was answered from the stored state until then may be out of date.
   * Returns the function that stops it.
   */
  onPublish(listener: () => void): () => void;
  /** Serves `GET /v1/events` as Server-Sent Events, resuming after `Last-Event-ID`. */
  serve(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  clients(): number;
  /** Starts following events committed by other processes sharing the storage. */
  start(): Promise<void>;
  close(): Promise<void>;
}

// A comment line now and then keeps proxies from closing an idle stream and lets a client
// notice a dead connection.
const HEARTBEAT_MS = 15_000;
const REPLAY_PAGE = 500;
// Tells EventSource clients how soon to reconnect after the stream drops.
const RETRY_MS = 1000;

export function createEventHub(metadata: MetadataStore, options: { onError?: (error: unknown) => void } = {}): EventHub {
  const streams = new Set<(event: RegistryEvent) => void>();
  const publishListeners = new Set<() => void>();
  const closers = new Set<() => void>();
  // The newest event delivered to the live streams; undefined until start() read it.
  let head: number | undefined;
  let reading: Promise<void> | undefined;
  let again = false;
  let stopWatching: (() => Promise<void>) | undefined;

  // One read at a time; a wake-up during a read makes it read once more afterwards.
  const wake = (): void => {
    if (head === undefined) return;
    if (reading) {
      again = true;
      return;
    }
    reading = deliverNew().finally(() => {
      reading = undefined;
      if (again) {
        again = false;
        wake();
      }
    });
  };
  const deliverNew = async function deliverNew(): Promise<void> {
    try {
      for (;;) {
        const page = await metadata.eventsAfter(head ?? 0, REPLAY_PAGE);
        for (const event of page) {
          head = event.id;
          for (const send of streams) send(event);
        }
        if (page.length < REPLAY_PAGE) return;
      }
    } catch (error) {
      // The storage is unreachable: the next wake-up (a write, a notification, the watch's
      // periodic nudge) reads from the same place again, so nothing is skipped.
      options.onError?.(error);
    }
  };

  const publish = (): void => {
    for (const listener of publishListeners) listener();
    wake();
  };

  return {
    publish,
    onPublish(listener) {
      publishListeners.add(listener);
      return () => publishListeners.delete(listener);
    },
    clients: () => streams.size,
    async start() {
      head = await metadata.latestEventId();
      stopWatching = await metadata.watchEvents(publish);
    },
    async close() {
      for (const close of closers) close();
      await stopWatching?.();
      await reading;
    },
    async serve(request, reply) {
      const query = request.query as { lastEventId?: string; remote?: string };
      const lastHeader = request.headers['last-event-id'];
      const resumeFrom = (Array.isArray(lastHeader) ? lastHeader[0] : lastHeader) ?? query.lastEventId;
      // `latest`: only what happens from now on (a page that just read the current state);
      // a reconnect sends Last-Event-ID, which wins over the query string.
      const fromNow = resumeFrom === 'latest';
      let cursor = fromNow ? 0 : Number(resumeFrom ?? 0);
      if (!Number.isSafeInteger(cursor) || cursor < 0) cursor = 0;
      const only = query.remote;
      // A HEAD has no body to stream into: its headers would otherwise never be sent.
      if (request.method === 'HEAD') {
        await reply.header('cache-control', 'no-cache').type('text/event-stream; charset=utf-8').send();
        return;
      }

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        // Browsers follow tags from other origins (see the cors hook in app.ts).
        'access-control-allow-origin': '*',
      });
      res.write(`retry: ${RETRY_MS}\n\n`);

      const write = (event: RegistryEvent): void => {
        if (event.id <= cursor) return;
        cursor = event.id;
        // An event about every remote (a new TUF timestamp) reaches every stream, filtered or not.
        if (only && 'name' in event.data && event.data.name !== only) return;
        const sent = toStreamEvent(event);
        res.write(`id: ${sent.id}\nevent: ${sent.type}\ndata: ${JSON.stringify(sent.data)}\n\n`);
      };

      // Events delivered while the backlog is read are buffered, then sent in order after it:
      // nothing between the stored backlog and live delivery is lost or sent twice.
      const pending: RegistryEvent[] = [];
      let live = false;
      const onEvent = (event: RegistryEvent): void => (live ? write(event) : void pending.push(event));
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const close = (): void => {
        clearInterval(heartbeat);
        streams.delete(onEvent);
        closers.delete(close);
        res.end();
      };
      streams.add(onEvent);
      closers.add(close);
      request.raw.on('close', close);
      // From now on: after the last event the live streams were sent. Every later one reaches
      // this stream through the hub, however late it was committed or read; reading the table
      // instead would skip an event committed just before the read but delivered just after.
      try {
        if (fromNow) cursor = head ?? (await metadata.latestEventId());
        else
          for (;;) {
            const page = await metadata.eventsAfter(cursor, REPLAY_PAGE);
            for (const event of page) write(event);
            if (page.length < REPLAY_PAGE) break;
          }
      } catch (error) {
        // Without the backlog the stream would skip events: end it, and the client resumes
        // with its Last-Event-ID here or on another replica.
        options.onError?.(error);
        close();
        return;
      }
      pending.sort((a, b) => a.id - b.id);
      for (const event of pending) write(event);
      live = true;
    },
  };
}

/** An event as the stream sends it (the contract's `RegistryStreamEvent`): the stored time goes back into its data. */
export function toStreamEvent(event: RegistryEvent): RegistryStreamEvent {
  const id = String(event.id);
  switch (event.type) {
    case 'release.published':
      return { id, type: event.type, data: { ...event.data, at: event.at } };
    case 'tag.moved':
      return { id, type: event.type, data: { ...event.data, at: event.at } };
    case 'tuf.updated':
      return { id, type: event.type, data: { ...event.data, at: event.at } };
  }
}
