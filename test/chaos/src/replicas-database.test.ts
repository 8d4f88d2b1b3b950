// A registry replica that loses its PostgreSQL database and gets it back, without a restart.
// Its connections go through a TCP link the test cuts: while the database is gone, requests
// that need it answer 503 MODMESH_STORAGE_UNAVAILABLE (a balancer or host retries elsewhere),
// /health stays up (so Kubernetes does not restart every pod for an outage of the database),
// and the process survives. Once the link is back, it serves again, and its open event stream
// delivers a tag move made meanwhile through another replica: its listener reconnected.
import {
  type Balancer,
  pollUntil,
  postgresUnavailable,
  requestJson,
  requireCompiled,
  type ServiceProcess,
  startBalancer,
  startService,
} from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe } from './event-subscriber.js';
import { makeRelease, publishRelease, REPLICA_ADMIN_TOKEN, type ReplicaSet, startReplicaSet } from './replicas.js';
import { createTally } from './tally.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the registry replica tests: ${unavailable}`);

const CLI = requireCompiled('packages/cli/bin/modmesh.js');

describe.skipIf(unavailable)('a registry replica losing its database', () => {
  let replicas: ReplicaSet;
  let link: Balancer;
  let cut: ServiceProcess;
  let databaseAddress: string;
  beforeAll(async () => {
    replicas = await startReplicaSet({ count: 1, remotes: ['auth'] });
    const database = new URL(replicas.database.url);
    databaseAddress = `http://${database.hostname}:${database.port}`;
    link = await startBalancer([databaseAddress]);
    const throughLink = new URL(replicas.database.url);
    throughLink.hostname = '127.0.0.1';
    throughLink.port = String(link.port);
    cut = await startService({
      script: CLI,
      args: ['registry', 'start', '--port', '0'],
      env: { MODMESH_STORAGE: throughLink.toString(), MODMESH_ADMIN_TOKEN: REPLICA_ADMIN_TOKEN, MODMESH_LOG_LEVEL: 'warn' },
    });
  });
  afterAll(async () => {
    await cut?.stop();
    await link?.close();
    await replicas?.close();
  });

  it('answers 503 MODMESH_STORAGE_UNAVAILABLE while it is gone, stays alive, and resumes serving and streaming once it is back', {
    timeout: 90_000,
  }, async () => {
    for (const [i, version] of ['1.0.0', '1.1.0'].entries()) {
      expect(
        await publishRelease(replicas.urls[0]!, REPLICA_ADMIN_TOKEN, makeRelease(replicas.publisher, 'auth', version), i === 0 ? 'stable' : undefined),
      ).toBe(201);
    }
    expect((await requestJson(`${cut.url}/v1/remotes/auth`)).status).toBe(200);
    const subscriber = subscribe([cut.url], { lastEventId: 'latest' });
    await subscriber.ready;
    const tally = createTally('registry replica losing its database');
    tally.trial();

    const port = link.port;
    await link.close();
    const during = await requestJson<{ error: { code: string } }>(`${cut.url}/v1/remotes/auth`);
    tally.check(
      during.status === 503 && during.body.error?.code === 'MODMESH_STORAGE_UNAVAILABLE',
      `while cut: HTTP ${during.status} ${JSON.stringify(during.body)}`,
    );
    tally.check((await requestJson(`${cut.url}/health`)).status === 200, 'while cut: /health is not 200');
    // Moved through the other replica, which still has the database.
    const moved = await replicas.api(0, 'PUT', '/v1/remotes/auth/tags/stable', { version: '1.1.0', expect: '1.0.0' });
    expect(moved.status).toBe(200);

    link = await startBalancer([databaseAddress], { port });
    await pollUntil('the replica serves again', async () => ((await requestJson(`${cut.url}/v1/remotes/auth`)).status === 200 ? true : undefined), {
      deadlineMs: 30_000,
    });
    await pollUntil('its event stream delivers the move made while it was cut off', async () => (subscriber.ids.length > 0 ? true : undefined), {
      deadlineMs: 30_000,
    }).catch((error: Error) => tally.check(false, error.message));
    tally.check(subscriber.connects === 1, `the event stream was reopened ${subscriber.connects - 1} times; it should have stayed open`);
    tally.requests(4);
    subscriber.close();
    tally.record();
    expect(tally.problems).toEqual([]);
    expect(subscriber.ids).toHaveLength(1);
  });
});
