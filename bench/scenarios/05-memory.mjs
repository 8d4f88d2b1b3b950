// Memory under swaps: heap (after GC) and RSS of a host after its first load and after 1, 50 and
// 200 live swaps of the real auth build. Aim: modmesh's heap after 200 swaps within 1.5x of its
// first load.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { root } from '../lib.mjs';

export const title = 'Memory under swaps';

export async function run({ quick, log }) {
  const swaps = quick ? 5 : 200;
  const output = execFileSync(process.execPath, ['--expose-gc', path.join(root, 'bench/hosts/modmesh-swap-memory.mjs'), String(swaps), '--json'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  const { rows, msPerSwap } = JSON.parse(output.trim().split('\n').at(-1));
  log(`${swaps} swaps, ${msPerSwap.toFixed(0)} ms each`);
  const first = rows[0].heapMB;
  const last = rows.at(-1);
  return {
    metrics: [
      {
        name: 'heap after GC',
        unit: 'MB',
        variants: Object.fromEntries(rows.map((row) => [`modmesh, ${row.label}`, [row.heapMB]])),
        ratio: [`modmesh, ${last.label}`, 'modmesh, first load'],
        aim: { on: 'ratio', max: 1.5, text: `≤ 1.5x first load after ${swaps} swaps` },
      },
      { name: 'RSS', unit: 'MB', variants: Object.fromEntries(rows.map((row) => [`modmesh, ${row.label}`, [row.rssMB]])) },
    ],
    notes: [
      `heap after ${swaps} swaps is ${(last.heapMB / first).toFixed(2)}x the first load; each swap is a publish, a tag move, and the host fetching, verifying and loading the new release (${msPerSwap.toFixed(0)} ms each here).`,
      'stock Module Federation: MF-NODE-FACTS.md measured ~3.7 MB per reload with the @module-federation/node reload path (reclaimable compile cache) and a flat heap with registerRemotes({ force: true }); a side-by-side run here is not built yet.',
    ],
  };
}
