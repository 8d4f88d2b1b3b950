// Compare-and-swap under contention: 20 clients, each with its own publish token, move the same
// tag at the same moment, every round, each expecting the version it last saw (every fifth
// round they race to roll it back instead). Exactly one may win a round; every other client
// must be told MODMESH_TAG_CONFLICT; the audit log must hold every winner, in order, each move
// starting where the previous one ended, and nothing else.
import { type JsonResponse, requestJson } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byLevel } from './record.js';
import { type SeededRegistry, startSeededRegistry } from './seeded-registry.js';
import { createTally } from './tally.js';

const CLIENTS = 20;
const ROUNDS = byLevel(10, 100);
const VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5'];
const ROLLBACK_EVERY = 5;

interface Move {
  from: string | null;
  to: string;
  kind: 'move' | 'rollback';
  actor: string;
  seq: number;
}

let registry: SeededRegistry;
let clients: { token: string; id: string }[];

beforeAll(async () => {
  // With the default rate limits: a client makes one move a round, well within its budget.
  registry = await startSeededRegistry({ remotes: ['auth'] });
  for (const version of VERSIONS) await registry.publish('auth', version, version === VERSIONS[0] ? 'stable' : undefined);
  clients = await Promise.all(Array.from({ length: CLIENTS }, () => registry.createToken('publish', 'auth')));
});
afterAll(() => registry?.close());

describe('moving one tag from many clients at once', () => {
  it(`has exactly one winner per round and an audit log of exactly the winners (${ROUNDS} rounds, ${CLIENTS} clients)`, {
    timeout: byLevel(60_000, 300_000),
  }, async () => {
    const tally = createTally(`tag compare-and-swap, ${CLIENTS} clients at once`);
    const seen: string[] = Array(CLIENTS).fill(await stableVersion());
    const winners: Move[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      tally.trial();
      const rollback = round % ROLLBACK_EVERY === ROLLBACK_EVERY - 1;
      const current = seen[0] as string;
      const answers = await Promise.all(
        clients.map((client, index) =>
          rollback
            ? call('POST', '/v1/remotes/auth/tags/stable/rollback', { expect: seen[index], reason: `round ${round}` }, client.token)
            : call('PUT', '/v1/remotes/auth/tags/stable', { version: targetOf(seen[index] as string, index), expect: seen[index] }, client.token),
        ),
      );
      tally.requests(answers.length);
      const won = answers.flatMap((answer, index) => (answer.status === 200 ? [{ index, move: answer.body as Move }] : []));
      const odd = answers.filter((answer) => answer.status !== 200 && !(answer.status === 409 && errorCode(answer) === 'MODMESH_TAG_CONFLICT'));
      tally.check(won.length === 1, `round ${round}: ${won.length} clients won`);
      tally.check(
        odd.length === 0,
        `round ${round}: answers other than 200 or 409 MODMESH_TAG_CONFLICT: ${odd.map((a) => `${a.status} ${errorCode(a)}`).join(', ')}`,
      );
      for (const { index, move } of won) {
        tally.check(move.from === current, `round ${round}: the move starts at ${move.from}, not at ${current}, the version every client saw`);
        tally.check(move.actor === clients[index]?.id, `round ${round}: recorded as moved by ${move.actor}, not by the winner`);
        tally.check(move.kind === (rollback ? 'rollback' : 'move'), `round ${round}: recorded as a ${move.kind}`);
        winners.push(move);
      }
      // The losers look again, as a client told MODMESH_TAG_CONFLICT does.
      const now = await stableVersion();
      tally.requests(1);
      tally.check(now === winners.at(-1)?.to, `round ${round}: the tag is at ${now}, not where the winner moved it`);
      seen.fill(now);
    }

    const history = (await call<{ history: Move[] }>('GET', '/v1/remotes/auth/tags/stable/history?limit=1000')).body.history.toReversed();
    tally.requests(1);
    const [created, ...moves] = history;
    tally.check(created?.from === null && created.to === VERSIONS[0], 'the log does not start with the tag being created at publish');
    const key = (move: Move) => `${move.seq} ${move.kind} ${move.from}->${move.to} by ${move.actor}`;
    const logged = new Set(moves.map(key));
    const missing = winners.filter((move) => !logged.has(key(move)));
    tally.lost(missing.length, `winning moves missing from the audit log: ${missing.map(key).join('; ')}`);
    tally.check(moves.length === winners.length, `the audit log has ${moves.length} moves after the tag's creation, ${winners.length} clients won`);
    tally.check(JSON.stringify(moves.map(key)) === JSON.stringify(winners.map(key)), 'the audit log is not the winners in the order they won');
    tally.check(
      moves.every((move, index) => move.from === (index === 0 ? created?.to : moves[index - 1]?.to) && move.seq === index + 2),
      'a logged move does not start where the previous one ended, or its seq skips',
    );

    tally.record();
    expect(tally.problems).toEqual([]);
    expect(winners).toHaveLength(ROUNDS);
  });
});

// --- internal ---

// Somewhere else than where the client saw it; clients spread over the other versions.
function targetOf(seen: string, client: number): string {
  const others = VERSIONS.filter((version) => version !== seen);
  return others[client % others.length] as string;
}

async function stableVersion(): Promise<string> {
  const { body } = await call<{ tags: { tag: string; version: string }[] }>('GET', '/v1/remotes/auth/tags');
  const stable = body.tags.find((tag) => tag.tag === 'stable');
  if (!stable) throw new Error('auth has no stable tag');
  return stable.version;
}

function call<T = unknown>(method: string, route: string, body?: unknown, token?: string): Promise<JsonResponse<T>> {
  return requestJson<T>(`${registry.url}${route}`, { method, json: body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

function errorCode(answer: JsonResponse<unknown>): string | undefined {
  return (answer.body as { error?: { code?: string } } | null)?.error?.code;
}
