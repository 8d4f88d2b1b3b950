import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventStream, openEventStream } from './events.js';
import { createFetchTransport } from './fetch-transport.js';
import { createNodeTransport } from './node-transport.js';
import type { RegistryStreamEvent } from './types.js';

// A registry's event stream as a test drives it: every request is recorded, and each open
// stream can be written to or cut.
interface FakeStream {
  url: string;
  requests: { lastEventId: string | undefined; authorization: string | undefined; query: string }[];
  write(text: string): void;
  /** Ends every open stream, as a registry that restarts does. */
  drop(): void;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeStream(): Promise<FakeStream> {
  const open = new Set<http.ServerResponse>();
  const requests: FakeStream['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({
      lastEventId: req.headers['last-event-id'] as string | undefined,
      authorization: req.headers.authorization,
      query: new URL(req.url ?? '/', 'http://x').search,
    });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': connected\n\n');
    open.add(res);
    res.on('close', () => open.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stream: FakeStream = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    write: (text) => {
      for (const res of open) res.write(text);
    },
    drop: () => {
      for (const res of open) res.destroy();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  cleanups.push(() => stream.close());
  return stream;
}

function moved(id: number, to: string): string {
  return `id: ${id}\nevent: tag.moved\ndata: ${JSON.stringify({ name: 'auth', tag: 'stable', from: null, to, kind: 'move', actor: 'a', reason: '', at: '', seq: id })}\n\n`;
}

async function until(check: () => boolean, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not true in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const [kind, transport] of [
  ['node:http', createNodeTransport()],
  ['fetch', createFetchTransport()],
] as const) {
  describe(`the event stream over ${kind}`, () => {
    function follow(server: FakeStream, options: { token?: string; lastEventId?: string } = {}) {
      const events: RegistryStreamEvent[] = [];
      const drops: string[] = [];
      let connects = 0;
      const stream: EventStream = openEventStream({
        url: server.url,
        transport,
        ...options,
        onEvent: (event) => void events.push(event),
        onConnected: () => void connects++,
        onDisconnected: (reason) => void drops.push(reason),
      });
      cleanups.push(() => stream.close());
      return { stream, events, drops, connects: () => connects };
    }

    it('delivers typed events, resumes after a drop from the last one, and sends the token every time', async () => {
      const server = await fakeStream();
      const { events, drops, connects } = follow(server, { token: 'mmr_reader' });
      await until(() => connects() === 1);
      server.write(moved(7, '1.1.0'));
      // An event split across writes, with CRLF line ends, is still one event.
      const split = moved(8, '1.2.0').replaceAll('\n', '\r\n');
      server.write(split.slice(0, 20));
      server.write(split.slice(20));
      await until(() => events.length === 2);
      server.drop();
      await until(() => connects() === 2);
      expect(drops).toHaveLength(1);
      expect(server.requests.map((request) => request.query)).toEqual(['', '?lastEventId=8']);
      expect(server.requests.map((request) => request.authorization)).toEqual(['Bearer mmr_reader', 'Bearer mmr_reader']);
      expect(events.map((event) => event.type === 'tag.moved' && event.data.to)).toEqual(['1.1.0', '1.2.0']);
    });

    it('from now on (latest) asks the registry for that, and keeps asking for it until an event arrives', async () => {
      const server = await fakeStream();
      const { connects } = follow(server, { lastEventId: 'latest' });
      await until(() => connects() === 1);
      server.drop();
      await until(() => connects() === 2);
      expect(server.requests.map((request) => request.query)).toEqual(['?lastEventId=latest', '?lastEventId=latest']);
    });

    it('drops a stream that sends more than an event can be, and connects again', async () => {
      const server = await fakeStream();
      const { events, drops, connects } = follow(server);
      await until(() => connects() === 1);
      server.write(`id: 1\nevent: tag.moved\ndata: ${'x'.repeat(300 * 1024)}`);
      await until(() => drops.length === 1);
      expect(drops[0]).toMatch(/larger than/);
      await until(() => connects() === 2);
      expect(events).toEqual([]);
    });

    it('ignores what is not a registry event (unknown types, no id, bad JSON)', async () => {
      const server = await fakeStream();
      const { events, connects } = follow(server);
      await until(() => connects() === 1);
      server.write('event: tag.moved\ndata: {}\n\n');
      server.write('id: 1\nevent: something.else\ndata: {}\n\n');
      server.write('id: 2\nevent: tag.moved\ndata: not json\n\n');
      server.write(moved(3, '2.0.0'));
      await until(() => events.length === 1);
      expect(events[0]?.id).toBe('3');
    });
  });
}
