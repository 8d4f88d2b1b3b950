// A thousand event-stream subscribers spread over three registry replicas on one PostgreSQL
// database. A tag moved through one replica reaches every subscriber (LISTEN/NOTIFY wakes the
// others); then, while tags keep moving, one replica is killed with SIGKILL and its subscribers
// resume on another with Last-Event-ID: every subscriber ends with exactly the events the
// database committed, in order, none missed and none repeated.
import { pollUntil, postgresUnavailable } from '@modmesh/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Subscriber, subscribe } from './event-subscriber.js';
import { byLevel } from './record.js';
import { makeRelease, publishRelease, REPLICA_ADMIN_TOKEN, type ReplicaSet, startReplicaSet } from './replicas.js';
import { createTally } from './tally.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the registry replica tests: ${unavailable}`);

const REPLICAS = 3;
const SUBSCRIBERS = 1000;
// Tag moves after the first; the replica is killed halfway through them.
const MOVES = byLevel(10, 60);
const KILLED = 2;
const DELIVERY_DEADLINE_MS = 30_000;

describe.skipIf(unavailable)('events across registry replicas', () => {
  let replicas: ReplicaSet;
  const subscribers: Subscriber[] = [];
  beforeAll(async () => {
    replicas = await startReplicaSet({ count: REPLICAS, remotes: ['auth'] });
  });
  afterAll(async () => {
    for (const subscriber of subscribers) subscriber.close();
    await replicas?.close();
  });

  it(`delivers every tag move to ${SUBSCRIBERS} subscribers on ${REPLICAS} replicas, exactly once and in order, through a replica's SIGKILL`, {
    timeout: 180_000,
  }, async () => {
    for (const [i, version] of ['1.0.0', '1.1.0'].entries()) {
      expect(
        await publishRelease(replicas.urls[i]!, REPLICA_ADMIN_TOKEN, makeRelease(replicas.publisher, 'auth', version), i === 0 ? 'stable' : undefined),
      ).toBe(201);
    }
    const start = await latestEventId(replicas.database.url);
    // Subscriber k starts on replica k mod 3 and, when that one goes, resumes on the next.
    for (let k = 0; k < SUBSCRIBERS; k++) {
      const order = Array.from({ length: REPLICAS }, (_, i) => replicas.urls[(k + i) % REPLICAS]!);
      subscribers.push(subscribe(order, { lastEventId: start }));
    }
    await Promise.all(subscribers.map((subscriber) => subscriber.ready));
    const tally = createTally('1000 event subscribers over 3 replicas, one killed');

    let current = '1.0.0';
    const move = async (through: number): Promise<void> => {
      const to = current === '1.0.0' ? '1.1.0' : '1.0.0';
      const { status, body } = await replicas.api(through, 'PUT', '/v1/remotes/auth/tags/stable', { version: to, expect: current });
      if (status !== 200) throw new Error(`move through replica ${through}: HTTP ${status} ${JSON.stringify(body)}`);
      current = to;
    };

    // A move through replica 0 reaches the subscribers of all three.
    await move(0);
    const [first] = await eventIdsAfter(replicas.database.url, start);
    await pollUntil(
      'every subscriber has the first move',
      async () => (subscribers.every((subscriber) => subscriber.ids.includes(first!)) ? true : undefined),
      { deadlineMs: DELIVERY_DEADLINE_MS },
    );

    for (let m = 1; m <= MOVES; m++) {
      tally.trial();
      if (m === Math.ceil(MOVES / 2)) await replicas.kill(KILLED);
      await move(m % 2);
    }
    const expected = await eventIdsAfter(replicas.database.url, start);
    expect(expected).toHaveLength(MOVES + 1);
    const last = expected.at(-1)!;
    await pollUntil('every subscriber has the last move', async () => (subscribers.every((subscriber) => subscriber.ids.at(-1) === last) ? true : undefined), {
      deadlineMs: DELIVERY_DEADLINE_MS,
    }).catch((error: Error) => tally.check(false, error.message));

    tally.requests(subscribers.reduce((total, subscriber) => total + subscriber.connects, 0));
    for (const [k, subscriber] of subscribers.entries()) {
      const missed = expected.filter((id) => !subscriber.ids.includes(id));
      const repeated = subscriber.ids.length - new Set(subscriber.ids).size;
      tally.lost(missed.length, `subscriber ${k} missed events ${missed.join(', ')}`);
      tally.check(repeated === 0, `subscriber ${k} got ${repeated} events twice`);
      tally.check(
        subscriber.ids.every((id, i) => i === 0 || id > subscriber.ids[i - 1]!),
        `subscriber ${k} got events out of order`,
      );
    }
    const resumed = subscribers.filter((_, k) => k % REPLICAS === KILLED);
    tally.check(
      resumed.every((subscriber) => subscriber.connects >= 2),
      'not every subscriber of the killed replica reconnected',
    );
    tally.record();
    expect(tally.problems.slice(0, 20)).toEqual([]);
  });

  it('sends a move made right after they attached to subscribers "from now on" (lastEventId=latest) on every replica', { timeout: 60_000 }, async () => {
    if (replicas.process(KILLED).pid && !(await isUp(replicas.urls[KILLED]!))) await replicas.restart(KILLED);
    for (const subscriber of subscribers.splice(0)) subscriber.close();
    const latest = Array.from({ length: 300 }, (_, k) => subscribe([replicas.urls[k % REPLICAS]!], { lastEventId: 'latest' }));
    subscribers.push(...latest);
    await Promise.all(latest.map((subscriber) => subscriber.ready));
    const { body } = await replicas.api<{ tags: { version: string }[] }>(0, 'GET', '/v1/remotes/auth/tags');
    const current = body.tags[0]!.version;

    const moved = await replicas.api(0, 'PUT', '/v1/remotes/auth/tags/stable', { version: current === '1.0.0' ? '1.1.0' : '1.0.0', expect: current });
    expect(moved.status).toBe(200);

    const [id] = (await eventIdsAfter(replicas.database.url, (await latestEventId(replicas.database.url)) - 1)).slice(-1);
    await pollUntil('every "latest" subscriber has the move', async () => (latest.every((subscriber) => subscriber.ids.includes(id!)) ? true : undefined), {
      deadlineMs: DELIVERY_DEADLINE_MS,
    });
    for (const subscriber of latest) expect(subscriber.ids).toEqual([id]);
  });
});

async function isUp(url: string): Promise<boolean> {
  return fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then(
    (response) => response.ok,
    () => false,
  );
}

// --- internal ---

async function latestEventId(url: string): Promise<number> {
  return Number((await sql<{ id: string }>(url, 'SELECT COALESCE(MAX(id), 0) AS id FROM events'))[0]?.id);
}

async function eventIdsAfter(url: string, id: number): Promise<number[]> {
  return (await sql<{ id: string }>(url, 'SELECT id FROM events WHERE id > $1 ORDER BY id', [id])).map((row) => Number(row.id));
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
