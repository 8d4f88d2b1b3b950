// Floods at the registry's write side, with its default rate limits: one publish token posting
// releases as fast as it can, then one address guessing tokens. The flood is cut to the token's
// budget with 429 MODMESH_RATE_LIMITED and Retry-After, nothing of a refused publish is stored,
// and other publishers are not held up.
import { DEFAULT_RATE_LIMITS } from '@modmesh/registry';
import type { JsonResponse } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byLevel } from './record.js';
import { type SeededRegistry, startSeededRegistry } from './seeded-registry.js';
import { createTally } from './tally.js';

const FLOOD = byLevel(100, 300);
const GUESSES = byLevel(100, 1000);
const CONCURRENCY = 10;

let registry: SeededRegistry;
beforeAll(async () => {
  registry = await startSeededRegistry({ remotes: ['auth', 'billing'] });
});
afterAll(() => registry?.close());

describe('floods at the registry, with its default rate limits', () => {
  it(`cuts ${FLOOD} publishes from one token to its budget and stores nothing of the rest`, { timeout: byLevel(60_000, 180_000) }, async () => {
    const tally = createTally('publish flood from one token');
    const { token } = await registry.createToken('publish', 'auth');
    const started = performance.now();
    const answers = await inParallel(FLOOD, (index) => registry.attemptPublish('auth', `1.0.${index}`, { token }));
    const seconds = (performance.now() - started) / 1000;
    tally.trial();
    // Each publish is two file uploads and the release.
    tally.requests(3 * FLOOD);

    const accepted = answers.flatMap((answer, index) => (answer.status === 201 ? [`1.0.${index}`] : []));
    const refused = answers.filter((answer) => answer.status === 429);
    const refill = Math.ceil((seconds * DEFAULT_RATE_LIMITS.releases) / 60) + 1;
    tally.check(
      accepted.length >= DEFAULT_RATE_LIMITS.releases && accepted.length <= DEFAULT_RATE_LIMITS.releases + refill,
      `${accepted.length} of ${FLOOD} publishes accepted in ${seconds.toFixed(1)} s; the budget is ${DEFAULT_RATE_LIMITS.releases} a minute`,
    );
    tally.check(
      accepted.length + refused.length === FLOOD,
      `answers other than 201 or 429: ${answers
        .filter((a) => a.status !== 201 && a.status !== 429)
        .map(summary)
        .join(', ')}`,
    );
    tally.check(
      refused.every(isRateLimited),
      `a 429 without MODMESH_RATE_LIMITED and Retry-After: ${refused
        .filter((a) => !isRateLimited(a))
        .map(summary)
        .join(', ')}`,
    );

    const listed = new Set((await registry.api<{ versions: { version: string }[] }>('GET', '/v1/remotes/auth')).body.versions.map((entry) => entry.version));
    const lost = accepted.filter((version) => !listed.has(version));
    tally.lost(lost.length, `accepted releases not listed: ${lost.join(', ')}`);
    tally.check(listed.size === accepted.length, `${listed.size} releases listed, ${accepted.length} accepted: a refused publish was stored`);
    const other = await registry.createToken('publish', 'billing');
    const billing = await registry.attemptPublish('billing', '1.0.0', { token: other.token });
    tally.requests(4);
    tally.check(billing.status === 201, `another publisher during the flood: ${summary(billing)}`);

    tally.record();
    expect(tally.problems).toEqual([]);
  });

  it(`refuses an address guessing tokens (${GUESSES} guesses) before looking them up, and then its valid tokens too`, async () => {
    const tally = createTally('token guessing from one address');
    const { token } = await registry.createToken('read');
    const answers = await inParallel(GUESSES, (index) => registry.api('GET', '/v1/remotes', undefined, `mmp_guess${index}`));
    tally.trial();
    tally.requests(GUESSES);
    const unauthorized = answers.filter((answer) => answer.status === 401).length;
    const limited = answers.filter(isRateLimited).length;
    tally.check(
      unauthorized >= DEFAULT_RATE_LIMITS.authFailures && unauthorized <= DEFAULT_RATE_LIMITS.authFailures + CONCURRENCY,
      `${unauthorized} guesses were looked up`,
    );
    tally.check(
      unauthorized + limited === GUESSES,
      `answers other than 401 or 429 MODMESH_RATE_LIMITED: ${answers
        .filter((a) => a.status !== 401 && !isRateLimited(a))
        .map(summary)
        .join(', ')}`,
    );
    const valid = await registry.api('GET', '/v1/remotes', undefined, token);
    const anonymous = await registry.api('GET', '/v1/remotes', undefined, null);
    tally.requests(2);
    tally.check(isRateLimited(valid), `a valid token from the guessing address: ${summary(valid)}`);
    tally.check(anonymous.status === 200, `a read without a token from the guessing address: ${summary(anonymous)}`);
    tally.record();
    expect(tally.problems).toEqual([]);
  });
});

// --- internal ---

async function inParallel<T>(count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) results[index] = await task(index);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

function isRateLimited(answer: JsonResponse): boolean {
  const retryAfter = Number(answer.headers.get('retry-after'));
  return answer.status === 429 && (answer.body as { error?: { code?: string } }).error?.code === 'MODMESH_RATE_LIMITED' && retryAfter >= 1 && retryAfter <= 60;
}

function summary(answer: JsonResponse): string {
  return `${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`;
}
