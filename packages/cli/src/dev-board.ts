import type { TextSink } from './output.js';

/** One line per service, kept current: on a terminal redrawn in place, elsewhere printed as it changes. */
export interface DevBoard {
  set(service: string, state: DevState, detail?: string): void;
  /** Text that stays (a build error, in full): printed above the lines. */
  print(text: string): void;
}

export type DevState = 'starting' | 'building' | 'publishing' | 'live' | 'unchanged' | 'failed';

/**
 * The progress of `modmesh dev`: `auth  ● building…`, `auth  ✓ 1.0.1-dev.3 live (build 212 ms,
 * publish 85 ms)`, `auth  ✗ build failed (hosts keep 1.0.1-dev.2)`. On a terminal the lines are
 * redrawn in place; in a log (or a test) each change is one more line.
 */
export function createDevBoard(sink: TextSink, services: readonly string[]): DevBoard {
  const width = Math.max(...services.map((service) => service.length));
  const lines = new Map(services.map((service) => [service, render(service, 'starting', '', width)]));
  const interactive = sink.isTTY === true;
  let drawn = 0;

  const draw = (): void => {
    // Up to the first line of the board, then each line cleared and written again.
    if (drawn > 0) sink.write(`\x1b[${drawn}A`);
    for (const line of lines.values()) sink.write(`\x1b[2K${line}\n`);
    drawn = lines.size;
  };
  if (interactive) draw();

  return {
    set(service, state, detail = '') {
      const line = render(service, state, detail, width);
      if (lines.get(service) === line) return;
      lines.set(service, line);
      if (interactive) draw();
      else sink.write(`${line}\n`);
    },
    print(text) {
      if (!interactive) return void sink.write(`${text}\n`);
      if (drawn > 0) sink.write(`\x1b[${drawn}A\x1b[J`);
      sink.write(`${text}\n`);
      drawn = 0;
      draw();
    },
  };
}

// --- internal ---

const MARKS: Record<DevState, string> = { starting: '…', building: '●', publishing: '●', live: '✓', unchanged: '✓', failed: '✗' };
const WORDS: Record<DevState, string> = {
  starting: 'starting',
  building: 'building…',
  publishing: 'publishing…',
  live: 'live',
  unchanged: 'unchanged',
  failed: '',
};

function render(service: string, state: DevState, detail: string, width: number): string {
  return `${service.padEnd(width)}  ${MARKS[state]} ${[WORDS[state], detail].filter(Boolean).join(' ')}`;
}
