// Memory under swaps: heap (after GC) and RSS of a host after its first load and after 1, 50 and
// 200 live swaps of the real auth build, each system in a process of its own, one after the
// other. modmesh: bench/hosts/modmesh-swap-memory.mjs (in-process registry + mesh). stock:
// bench/hosts/stock-swap-memory.mjs (the webpack-built stock host polling a static server,
// swapping with registerRemotes({ force: true }) + loadRemote()).
// Aim: modmesh's heap after 200 swaps within 1.5x of its first load.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { root } from '../lib.mjs';

export const title = 'Memory under swaps';

const SWAPS = { full: 200, quick: 5 };
const DEADLINE_MS = 600_000;

// The stock host sees a release only when its entry's bytes change. "stock" deploys two stamped
// copies of the same build in turn (as modmesh republishes the same files); this variant stamps
// every release differently, as real releases would differ.
const STOCK_NEW_ENTRY = 'stock, new entry bytes each release';

export async function run({ quick, log }) {
  const swaps = quick ? SWAPS.quick : SWAPS.full;
  const modmesh = measure('modmesh-swap-memory.mjs', swaps);
  log(`modmesh: ${swaps} swaps, ${modmesh.msPerSwap.toFixed(0)} ms each`);
  const stock = measure('stock-swap-memory.mjs', swaps);
  log(`stock: ${swaps} swaps, ${stock.msPerSwap.toFixed(0)} ms each`);
  const stockNewEntry = measure('stock-swap-memory.mjs', swaps, ['--new-entry-each-release']);
  log(`stock, new entry each release: ${swaps} swaps, ${stockNewEntry.msPerSwap.toFixed(0)} ms each`);

  const last = `after ${swaps} swaps`;
  const at = (result, label) => result.rows.find((row) => row.label === label);
  const byPoint = (system, result, field) => result.rows.map((row) => [`${system}, ${row.label}`, [row[field]]]);
  const growth = (result) => (at(result, last).heapMB / at(result, 'first load').heapMB).toFixed(2);
  return {
    metrics: [
      {
        name: 'heap after GC',
        unit: 'MB',
        variants: Object.fromEntries([...byPoint('modmesh', modmesh, 'heapMB'), ...byPoint('stock', stock, 'heapMB')]),
        ratio: [`modmesh, ${last}`, 'modmesh, first load'],
        aim: { on: 'ratio', max: 1.5, text: `modmesh ≤ 1.5x its first load after ${swaps} swaps` },
      },
      {
        name: `heap after GC, ${last}`,
        unit: 'MB',
        variants: {
          modmesh: [at(modmesh, last).heapMB],
          stock: [at(stock, last).heapMB],
          [STOCK_NEW_ENTRY]: [at(stockNewEntry, last).heapMB],
        },
        ratio: ['modmesh', 'stock'],
      },
      {
        name: 'RSS',
        unit: 'MB',
        variants: Object.fromEntries([...byPoint('modmesh', modmesh, 'rssMB'), ...byPoint('stock', stock, 'rssMB')]),
        ratio: [`modmesh, ${last}`, `stock, ${last}`],
      },
    ],
    notes: [
      `heap after ${swaps} swaps / first load: modmesh ${growth(modmesh)}x, stock ${growth(stock)}x, ${STOCK_NEW_ENTRY} ${growth(stockNewEntry)}x; time per swap: modmesh ${modmesh.msPerSwap.toFixed(0)} ms, stock ${stock.msPerSwap.toFixed(0)} ms, ${STOCK_NEW_ENTRY} ${stockNewEntry.msPerSwap.toFixed(0)} ms (swap latency itself is scenario 04's).`,
      'modmesh: each swap is a publish of the same files as a new version, a tag move, and the host fetching, verifying and loading the new release; its process also holds the registry (Fastify + SQLite) that serves the releases.',
      'stock: each swap is a deploy to the static server (a separate process), the host polling remoteEntry.js every 10 ms and swapping with registerRemotes({ force: true }) + loadRemote(); it sees a release only when the entry bytes change, so "stock" alternates two stamped copies of the same build.',
      `${STOCK_NEW_ENTRY}: the heap grows with the number of distinct entry sources evaluated (two alternating: flat); with the heap capped (--max-old-space-size=48) the same 200 swaps ended at 1.2x the first load, so that growth is reclaimable (compiled code kept until memory runs short), not a leak.`,
    ],
  };
}

// --- internal ---

function measure(script, swaps, flags = []) {
  const output = execFileSync(process.execPath, ['--expose-gc', path.join(root, 'bench/hosts', script), String(swaps), '--json', ...flags], {
    encoding: 'utf8',
    timeout: DEADLINE_MS,
    // stderr is kept for the error on failure: the stock host warns on every forced re-registration.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output.trim().split('\n').at(-1));
}
