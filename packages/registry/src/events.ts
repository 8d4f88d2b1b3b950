import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MetadataStore, RegistryEvent } from './storage/types.js';

export interface EventHub {
  /** Delivers events that were committed to storage to every connected stream. */
  publish(events: RegistryEvent[]): void;
  /** Serves `GET /v1/events` as Server-Sent Events, resuming after `Last-Event-ID`. */
  serve(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  clients(): number;
  close(): void;
}

// A comment line now and then keeps proxies from closing an idle stream and lets a client
// notice a dead connection.
const HEARTBEAT_MS = 15_000;
const REPLAY_PAGE = 500;
// Tells EventSource clients how soon to reconnect after the stream drops.
const RETRY_MS = 1000;

export function createEventHub(metadata: MetadataStore): EventHub {
  const streams = new Set<(event: RegistryEvent) => void>();
  const closers = new Set<() => void>();

  return {
    publish(events) {
      for (const event of events) for (const send of streams) send(event);
    },
    clients: () => streams.size,
    close() {
      for (const close of closers) close();
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
        if (only && event.data.name !== only) return;
        res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...event.data, at: event.at })}\n\n`);
      };

      // Events committed while the backlog is read are buffered, then sent in order after it:
      // nothing between the stored backlog and live delivery is lost or sent twice.
      const pending: RegistryEvent[] = [];
      let live = false;
      const onEvent = (event: RegistryEvent): void => (live ? write(event) : void pending.push(event));
      streams.add(onEvent);
      for (;;) {
        const page = await metadata.eventsAfter(cursor, REPLAY_PAGE);
        if (fromNow) cursor = page.at(-1)?.id ?? cursor;
        else for (const event of page) write(event);
        if (page.length < REPLAY_PAGE) break;
      }
      pending.sort((a, b) => a.id - b.id);
      // From now on means from when the stream attached: what arrived during the read is new.
      if (fromNow && pending[0]) cursor = Math.min(cursor, pending[0].id - 1);
      for (const event of pending) write(event);
      live = true;

      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const close = (): void => {
        clearInterval(heartbeat);
        streams.delete(onEvent);
        closers.delete(close);
        res.end();
      };
      closers.add(close);
      request.raw.on('close', close);
    },
  };
}
