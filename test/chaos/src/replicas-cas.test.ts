// Three registry replicas on one PostgreSQL database, and twenty clients moving one tag with
// compare-and-swap, spread across them: the database decides, so each round has exactly one
// winner, and the audit log holds exactly the winners. Each client has its own publish token,
// created on one replica and used on another: tokens hold across replicas.
import { postgresUnavailable } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byLevel } from './record.js';
import { makeRelease, publishRelease, REPLICA_ADMIN_TOKEN, type ReplicaSet, startReplicaSet } from './replicas.js';
import { createTally } from './tally.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the registry replica tests: ${unavailable}`);

const REPLICAS = 3;
const CLIENTS = 20;
const ROUNDS = byLevel(5, 50);

describe.skipIf(unavailable)('compare-and-swap across registry replicas', () => {
  let replicas: ReplicaSet;
  beforeAll(async () => {
    replicas = await startReplicaSet({ count: REPLICAS, remotes: ['auth'] });
  });
  afterAll(() => replicas?.close());

  it(`gives each of ${ROUNDS} rounds of ${CLIENTS} concurrent moves exactly one winner, and audits exactly the winners`, { timeout: 120_000 }, async () => {
    // One more version than clients: whatever the tag points at, each client has a target of its own.
    const versions = Array.from({ length: CLIENTS + 1 }, (_, i) => `1.${i}.0`);
    for (const [i, version] of versions.entries()) {
      const status = await publishRelease(
        replicas.urls[i % REPLICAS]!,
        REPLICA_ADMIN_TOKEN,
        makeRelease(replicas.publisher, 'auth', version),
        i === 0 ? 'stable' : undefined,
      );
      expect(status, `publish ${version}`).toBe(201);
    }
    const tokens: string[] = [];
    for (let client = 0; client < CLIENTS; client++) {
      const { status, body } = await replicas.api<{ token: string }>(client % REPLICAS, 'POST', '/v1/tokens', { remote: 'auth', label: `client ${client}` });
      expect(status).toBe(201);
      tokens.push(body.token);
    }

    const tally = createTally('tag CAS, 20 clients over 3 replicas');
    const winners: { to: string; actor: string }[] = [];
    let current = versions[0]!;
    for (let round = 0; round < ROUNDS; round++) {
      tally.trial();
      const targets = versions.filter((version) => version !== current);
      // Client c sends through the replica after the one its token was made on.
      const answers = await Promise.all(
        tokens.map((token, client) =>
          replicas.api<{ to: string; actor: string; error?: { code: string } }>(
            (client + 1 + round) % REPLICAS,
            'PUT',
            '/v1/remotes/auth/tags/stable',
            { version: targets[client], expect: current, reason: `round ${round}` },
            token,
          ),
        ),
      );
      tally.requests(answers.length);
      const won = answers.filter((answer) => answer.status === 200);
      const refused = answers.filter((answer) => answer.status === 409 && answer.body.error?.code === 'MODMESH_TAG_CONFLICT');
      tally.check(won.length === 1, `round ${round}: ${won.length} moves won`);
      tally.check(refused.length === CLIENTS - won.length, `round ${round}: answers other than 200 or 409 conflict: ${answers.map((a) => a.status).join(',')}`);
      if (won[0]) {
        winners.push({ to: won[0].body.to, actor: won[0].body.actor });
        current = won[0].body.to;
      }
    }

    for (let index = 0; index < REPLICAS; index++) {
      const { body } = await replicas.api<{ history: { to: string; actor: string; reason: string }[] }>(
        index,
        'GET',
        '/v1/remotes/auth/tags/stable/history?limit=1000',
      );
      const audited = body.history
        .filter((move) => move.reason.startsWith('round '))
        .reverse()
        .map(({ to, actor }) => ({ to, actor }));
      tally.check(JSON.stringify(audited) === JSON.stringify(winners), `replica ${index}: the audit log is not exactly the winners`);
      const { body: tags } = await replicas.api<{ tags: { tag: string; version: string; seq: number }[] }>(index, 'GET', '/v1/remotes/auth/tags');
      tally.check(tags.tags[0]?.version === current && tags.tags[0]?.seq === ROUNDS + 1, `replica ${index}: stable is ${JSON.stringify(tags.tags[0])}`);
    }
    tally.record();
    expect(tally.problems).toEqual([]);
    expect(winners).toHaveLength(ROUNDS);
  });
});
