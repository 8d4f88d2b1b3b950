/**
 * The sum of a counter's samples in Prometheus text whose labels include `labels`: 0 when there
 * are none, so a test can compare before and after.
 *
 * @example
 * counter(await (await fetch(`${url}/metrics`)).text(), 'modmesh_runtime_swaps_total', { result: 'swapped' })
 */
export function counter(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [key, value]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total += Number(match[3]);
  }
  return total;
}

// --- internal ---

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;
