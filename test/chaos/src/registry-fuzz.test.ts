// Fuzzing the registry's HTTP API: a real registry with releases, tags, keys and tokens, then
// thousands of malformed requests (fuzz-requests.ts). What a user would notice is asserted: no
// 5xx, every refusal a coded `{error: {code: "MODMESH_..."}}`, /health answering throughout, and
// every row and file it stores byte-for-byte the same at the end.
//   MODMESH_FUZZ_SEED=<n> replays a run; the seed is in every failure message.
import { ERROR_CATALOGUE } from '@modmesh/manifest';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzContext, type FuzzRequest, fuzzRequest } from './fuzz-requests.js';
import { createRawClient, type RawClient, type RawResponse } from './raw-http.js';
import { byLevel } from './record.js';
import { diffStates, type SeededRegistry, snapshotState, startSeededRegistry } from './seeded-registry.js';
import { createTally } from './tally.js';

const CASES = byLevel(1500, 20_000);
const CONCURRENCY = 8;
/** /health is asked after every this many fuzz requests. */
const HEALTH_EVERY = 250;
const DEADLINE_MS = 10_000;
const SEED = Number(process.env.MODMESH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let registry: SeededRegistry;
let client: RawClient;
let context: FuzzContext;

beforeAll(async () => {
  // Unlimited: a fuzzer from one address would otherwise spend most of its cases on 429s.
  registry = await startSeededRegistry({ remotes: ['auth', 'billing'], rateLimit: false });
  await registry.publish('auth', '1.0.0', 'canary');
  await registry.publish('auth', '1.1.0', 'stable');
  await registry.publish('billing', '2.0.0', 'stable');
  const publish = await registry.createToken('publish', 'auth');
  const read = await registry.createToken('read');
  client = createRawClient(registry.url, { deadlineMs: DEADLINE_MS, sockets: CONCURRENCY });
  context = {
    names: ['auth', 'billing'],
    versions: ['1.0.0', '1.1.0', '2.0.0'],
    tags: ['stable', 'canary'],
    blobs: [...new Set(registry.blobs)],
    tokens: { admin: registry.admin, publish: publish.token, read: read.token },
    releases: [...registry.releases.values()],
  };
});
afterAll(async () => {
  client?.close();
  await registry?.close();
});

describe('the registry API under fuzzing', () => {
  it(`answers ${CASES} malformed requests without a 5xx, coded, healthy, and changes nothing (seed ${SEED})`, {
    timeout: byLevel(120_000, 600_000),
  }, async () => {
    const tally = createTally('registry API fuzzing');
    const before = snapshotState(registry.dataDir);
    const viewsBefore = await apiViews();
    const requests = fc.sample(fuzzRequest(context), { numRuns: CASES, seed: SEED });

    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < requests.length; index = next++) {
        const request = requests[index] as FuzzRequest;
        const response = await client.send({ ...request, body: request.body?.() });
        tally.trial();
        tally.requests(1);
        const problem = problemOf(request, response);
        tally.check(problem === undefined, `${problem}: ${describeRequest(request)}`);
        if (index % HEALTH_EVERY === HEALTH_EVERY - 1) await checkHealth(tally, `after ${index + 1} requests`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await checkHealth(tally, 'at the end');

    const changed = diffStates(before, snapshotState(registry.dataDir));
    tally.lost(changed.length, `stored state changed:\n  ${changed.slice(0, 20).join('\n  ')}`);
    const viewsAfter = await apiViews();
    tally.requests(2 * VIEW_ROUTES.length);
    tally.check(JSON.stringify(viewsAfter) === JSON.stringify(viewsBefore), 'what the API shows of remotes, tags, history and keys changed');

    const result = tally.record();
    expect(tally.problems.slice(0, 25), `seed ${SEED}: ${tally.problems.length} problems`).toEqual([]);
    expect(result.requests).toBeGreaterThanOrEqual(CASES);
  });
});

// --- internal ---

const VIEW_ROUTES = [
  '/v1/remotes',
  '/v1/remotes/auth',
  '/v1/remotes/billing',
  '/v1/remotes/auth/history?limit=1000',
  '/v1/remotes/billing/history?limit=1000',
  '/v1/remotes/auth/keys',
  '/v1/remotes/auth/resolve/stable?include=release',
  '/v1/remotes/auth/resolve/%5E1',
];

async function apiViews(): Promise<unknown[]> {
  return Promise.all(VIEW_ROUTES.map(async (route) => (await registry.api('GET', route, undefined, null)).body));
}

async function checkHealth(tally: ReturnType<typeof createTally>, when: string): Promise<void> {
  const health = await client.send({ method: 'GET', path: '/health', headers: {} });
  tally.requests(1);
  const ok = 'status' in health && health.status === 200 && (JSON.parse(health.body) as { status?: string }).status === 'ok';
  tally.check(ok, `/health ${when}: ${JSON.stringify(health).slice(0, 200)}`);
}

function problemOf(request: FuzzRequest, response: RawResponse): string | undefined {
  if ('error' in response) return `no answer (${response.error})`;
  if (response.status >= 500) return `HTTP ${response.status} ${response.body.slice(0, 200)}`;
  if (response.status < 400 || request.method === 'HEAD') return undefined;
  let code: unknown;
  try {
    code = (JSON.parse(response.body) as { error?: { code?: unknown } } | null)?.error?.code;
  } catch {}
  if (typeof code === 'string' && code.startsWith('MODMESH_') && Object.hasOwn(ERROR_CATALOGUE, code)) return undefined;
  return `HTTP ${response.status} without a coded error body (${response.contentType}: ${response.body.slice(0, 120)})`;
}

function describeRequest(request: FuzzRequest): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${value.length > 60 ? `${value.slice(0, 57)}...` : value}`)
    .join(', ');
  return `${request.method} ${request.path.slice(0, 200)} [${headers}] ${request.bodyLabel}`;
}
