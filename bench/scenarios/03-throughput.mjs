// Throughput: requests per second on /profile with a valid token, once each host has its
// validator loaded. autocannon runs in this process, so every variant shares the two cores
// with it the same way.
import autocannon from 'autocannon';
import { startUserServiceFixture } from '../hosts/fixture.mjs';
import { alternate, waitFor200, workDir } from '../lib.mjs';

export const title = 'Throughput';

const VARIANTS = ['modmesh', 'local', 'stock'];
const CONNECTIONS = 10;
const ROUNDS = { full: 3, quick: 1 };
const DURATION_SECONDS = { full: 10, quick: 1 };
// Unmeasured load before the first round, so that no variant is measured while still cold (JIT).
const WARMUP_SECONDS = { full: 2, quick: 0 };

export async function run({ quick, log }) {
  const mode = quick ? 'quick' : 'full';
  const fixture = await startUserServiceFixture({ name: 'throughput', quick, variants: VARIANTS });
  const headers = { authorization: `Bearer ${fixture.token}` };

  const cacheDir = workDir('throughput-cache');
  const hosts = {};
  for (const variant of VARIANTS) {
    hosts[variant] = await fixture.start(variant, { cacheDir });
    await waitFor200(`${hosts[variant].url}/profile`, fixture.token);
    if (WARMUP_SECONDS[mode]) await load(hosts[variant].url, headers, WARMUP_SECONDS[mode]);
  }

  const refused = [];
  const samples = await alternate(ROUNDS[mode], VARIANTS, async function measure(variant, round) {
    const result = await load(hosts[variant].url, headers, DURATION_SECONDS[mode]);
    const perSecond = result['2xx'] / result.duration;
    log(`round ${round + 1}/${ROUNDS[mode]} ${variant}: ${perSecond.toFixed(0)} req/s`);
    if (result.non2xx || result.errors) refused.push(`${variant} round ${round + 1}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return perSecond;
  });
  return {
    metrics: [
      {
        name: `GET /profile, ${CONNECTIONS} connections, ${DURATION_SECONDS[mode]} s`,
        unit: 'req/s',
        variants: samples,
        ratio: ['modmesh', 'local'],
        aim: { on: 'ratio', min: 0.98, text: '≥ 0.98x local' },
      },
    ],
    notes: refused,
  };
}

// --- internal ---

function load(url, headers, seconds) {
  return autocannon({ url: `${url}/profile`, headers, connections: CONNECTIONS, duration: seconds });
}
