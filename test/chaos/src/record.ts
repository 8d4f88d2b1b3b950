// What each chaos scenario did, for the summary table `npm run test:chaos` prints. Tests call
// recordScenario() once per scenario; outside the long-form runner it only checks its input.
import { appendFileSync } from 'node:fs';

export interface ScenarioResult {
  /** Short, unique, human-readable: "registry SIGKILL under load". */
  scenario: string;
  /** How many times the fault or attack was applied. */
  trials: number;
  /** Requests made against the system while it ran (load, fuzz cases, publishes...). */
  requests: number;
  /** Requests or checks that failed when the invariants say they must not. */
  failures: number;
  /** Releases, blobs, tags or audit entries lost or corrupted. */
  dataLost: number;
}

/** The runner sets this to a file; each result is one JSON line in it. */
const REPORT_ENV = 'MODMESH_CHAOS_REPORT';
/** `long` for `npm run test:chaos`; anything else is the short form `npm test` runs. */
const LEVEL_ENV = 'MODMESH_CHAOS';

export function chaosLevel(): 'short' | 'long' {
  return process.env[LEVEL_ENV] === 'long' ? 'long' : 'short';
}

/** `short` in `npm test`, `long` in `npm run test:chaos`. */
export function byLevel<T>(short: T, long: T): T {
  return chaosLevel() === 'long' ? long : short;
}

export function recordScenario(result: ScenarioResult): void {
  for (const key of ['trials', 'requests', 'failures', 'dataLost'] as const) {
    if (!Number.isSafeInteger(result[key]) || result[key] < 0) throw new TypeError(`${result.scenario}: ${key} must be a count, got ${result[key]}`);
  }
  const file = process.env[REPORT_ENV];
  if (file) appendFileSync(file, `${JSON.stringify({ ...result, at: new Date().toISOString() })}\n`);
}
