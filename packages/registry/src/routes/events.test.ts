import type { AddressInfo } from 'node:net';
import { openEventStream, type RegistryStreamEvent } from '@modmesh/api';
import {
  bearer,
  createTestRegistry,
  EVENT_CHECKS,
  problemsOf,
  publishFixture,
  releaseFixture,
  setUpPublisher,
  type TestRegistry,
} from '@modmesh/registry-test-utils';
import { pollUntil } from '@modmesh/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
let publisher: Awaited<ReturnType<typeof setUpPublisher>>;

beforeEach(async () => {
  registry = await createTestRegistry();
  publisher = await setUpPublisher(registry, 'auth');
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
    expect((await publishFixture(registry, releaseFixture('auth', version), publisher)).statusCode).toBe(201);
  }
});
afterEach(() => registry.cleanup());

function moveTag(version: string, expect: string | null, reason = '') {
  return registry.app.inject({ method: 'PUT', url: '/v1/remotes/auth/tags/stable', headers: bearer(publisher.token), payload: { version, expect, reason } });
}
function rollback(payload: Record<string, unknown> = {}) {
  return registry.app.inject({ method: 'POST', url: '/v1/remotes/auth/tags/stable/rollback', headers: bearer(publisher.token), payload });
}

describe('the event stream', () => {
  it('sends releases and tag moves with ids, and resumes after Last-Event-ID without losing or repeating one', async () => {
    await registry.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = registry.app.server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/v1/events`;

    const first = await readEvents(url, {}, 3);
    expect(first.map((event) => [event.event, JSON.parse(event.data).version])).toEqual([
      ['release.published', '1.0.0'],
      ['release.published', '1.1.0'],
      ['release.published', '1.2.0'],
    ]);

    const lastSeen = first[2]?.id as string;
    await moveTag('1.0.0', null);
    await moveTag('1.1.0', '1.0.0');
    const resumed = await readEvents(url, { 'last-event-id': lastSeen }, 2);
    expect(resumed.map((event) => [event.event, JSON.parse(event.data).to])).toEqual([
      ['tag.moved', '1.0.0'],
      ['tag.moved', '1.1.0'],
    ]);
    expect(Number(resumed[0]?.id)).toBe(Number(lastSeen) + 1);

    // A client that is up to date receives the next move as it happens.
    const live = readEvents(url, { 'last-event-id': resumed[1]?.id as string }, 1);
    await rollback({ reason: 'live' });
    expect((await live).map((event) => [event.event, JSON.parse(event.data).kind])).toEqual([['tag.moved', 'rollback']]);
  });

  it('sends only what happens from now on to a client asking for lastEventId=latest', async () => {
    await registry.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = registry.app.server.address() as AddressInfo;
    const fromNow = readEvents(`http://127.0.0.1:${port}/v1/events?lastEventId=latest`, {}, 1);
    await pollUntil('the stream is attached', async () => (registry.hub.clients() > 0 ? true : undefined));
    await moveTag('1.0.0', null);
    const [event] = await fromNow;
    expect([event?.event, JSON.parse(event?.data ?? '{}').to]).toEqual(['tag.moved', '1.0.0']);
  });
});

describe('the events', () => {
  it('are the contract’s events, exactly, as the one client reads them', async () => {
    await registry.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = registry.app.server.address() as AddressInfo;
    await moveTag('1.0.0', null);
    await moveTag('1.1.0', '1.0.0');
    await rollback({ reason: 'back' });
    const received: RegistryStreamEvent[] = [];
    const stream = openEventStream({ url: `http://127.0.0.1:${port}`, onEvent: (event) => received.push(event) });
    try {
      await pollUntil('every event received', async () => (received.length >= 6 ? true : undefined));
    } finally {
      stream.close();
    }
    expect(received.map((event) => event.type)).toEqual([...Array(3).fill('release.published'), ...Array(3).fill('tag.moved')]);
    for (const event of received) expect(problemsOf(event.data, EVENT_CHECKS[event.type]), event.id).toEqual([]);
  });
});

describe('HEAD /v1/events', () => {
  it('answers at once, without opening a stream', async () => {
    const response = await registry.app.inject({ method: 'HEAD', url: '/v1/events' });
    expect([response.statusCode, response.headers['content-type'], response.body]).toEqual([200, 'text/event-stream; charset=utf-8', '']);
    expect(registry.hub.clients()).toBe(0);
  });
});

// --- internal ---

interface SseEvent {
  id: string;
  event: string;
  data: string;
}

async function readEvents(url: string, headers: Record<string, string>, count: number): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let end = buffered.indexOf('\n\n');
      while (end !== -1) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
        if (fields.id) events.push(fields as unknown as SseEvent);
        if (events.length === count) return events;
        end = buffered.indexOf('\n\n');
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
