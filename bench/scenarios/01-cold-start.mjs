// Cold start: from spawning the User Service to its first 200 on /profile with a valid token,
// nothing cached. stock: the webpack-built Module Federation host loading the remote from a
// static server; modmesh: examples/user-service resolving auth@stable at the registry,
// verifying and loading it, with a fresh cache directory each round.
import path from 'node:path';
import { startUserServiceFixture } from '../hosts/fixture.mjs';
import { alternate, workDir } from '../lib.mjs';

export const title = 'Cold start';

const VARIANTS = ['stock', 'modmesh'];
const ROUNDS = { full: 10, quick: 1 };

export async function run({ quick, log }) {
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const fixture = await startUserServiceFixture({ name: 'cold-start', quick, variants: VARIANTS });
  const caches = workDir('cold-start-caches');
  // Of the same starts: how much of the time is the process getting to listen at all.
  const listening = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  const cpu = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  const firstOk = await alternate(rounds, VARIANTS, async function coldStart(variant, round) {
    const times = await fixture.timeStart(variant, { cacheDir: path.join(caches, `round-${round}`) });
    log(`round ${round + 1}/${rounds} ${variant}: listening ${times.listeningMs.toFixed(0)} ms, first 200 ${times.firstOkMs.toFixed(0)} ms`);
    listening[variant].push(times.listeningMs);
    if (times.cpuMs !== undefined) cpu[variant].push(times.cpuMs);
    return times.firstOkMs;
  });
  return {
    metrics: [
      {
        name: 'process start to first 200 on /profile, empty cache',
        unit: 'ms',
        variants: firstOk,
        ratio: ['modmesh', 'stock'],
        aim: { on: 'ratio', max: 1.0, text: '≤ 1.0x stock' },
      },
      { name: 'of which process start to listening', unit: 'ms', variants: listening, ratio: ['modmesh', 'stock'] },
      ...(Object.values(cpu).every((samples) => samples.length > 0)
        ? [{ name: 'CPU of the process until that 200 (all threads, /proc, 10 ms steps)', unit: 'ms', variants: cpu, ratio: ['modmesh', 'stock'] }]
        : []),
    ],
    notes: [
      'stock loads a build of the same sources with @module-federation/node/runtimePlugin added to the remote: the build modmesh publishes cannot be loaded over HTTP by the stock loader (its own chunk loader reads chunks from the working directory of the host)',
    ],
  };
}
