// Warm start: from spawning the User Service to its first 200 on /profile when the verified
// release is already in modmesh's cache (an earlier start filled it), against the same app
// with the validator imported locally and no federation at all.
import path from 'node:path';
import { startUserServiceFixture } from '../hosts/fixture.mjs';
import { alternate, workDir } from '../lib.mjs';

export const title = 'Warm start';

const VARIANTS = ['modmesh', 'local'];
const ROUNDS = { full: 10, quick: 1 };

export async function run({ quick, log }) {
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const fixture = await startUserServiceFixture({ name: 'warm-start', quick, variants: VARIANTS });
  const cacheDir = path.join(workDir('warm-start-cache'), 'cache');
  const fill = await fixture.timeStart('modmesh', { cacheDir });
  log(`cache filled by a first start (${fill.firstOkMs.toFixed(0)} ms, not counted)`);

  // Of the same starts: how much of the time is the process getting to listen at all.
  const listening = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  const cpu = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  const firstOk = await alternate(rounds, VARIANTS, async function warmStart(variant, round) {
    const times = await fixture.timeStart(variant, { cacheDir });
    log(`round ${round + 1}/${rounds} ${variant}: listening ${times.listeningMs.toFixed(0)} ms, first 200 ${times.firstOkMs.toFixed(0)} ms`);
    listening[variant].push(times.listeningMs);
    if (times.cpuMs !== undefined) cpu[variant].push(times.cpuMs);
    return times.firstOkMs;
  });
  return {
    metrics: [
      {
        name: 'process start to first 200 on /profile, release cached',
        unit: 'ms',
        variants: firstOk,
        ratio: ['modmesh', 'local'],
        aim: { on: 'ratio', max: 1.05, text: '≤ 1.05x local' },
      },
      { name: 'of which process start to listening', unit: 'ms', variants: listening, ratio: ['modmesh', 'local'] },
      ...(Object.values(cpu).every((samples) => samples.length > 0)
        ? [{ name: 'CPU of the process until that 200 (all threads, /proc, 10 ms steps)', unit: 'ms', variants: cpu, ratio: ['modmesh', 'local'] }]
        : []),
    ],
  };
}
