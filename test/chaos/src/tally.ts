// Counts for one scenario, kept while it runs: a failed check is counted and described instead
// of ending the scenario, so the summary table gets its row either way, and the test then fails
// with every problem listed.
import { recordScenario, type ScenarioResult } from './record.js';

export interface Tally {
  /** Every failed check and every loss, described. */
  readonly problems: readonly string[];
  trial(): void;
  requests(count: number): void;
  /** Counts a failure, described by `problem`, unless `ok`. Returns `ok`. */
  check(ok: boolean, problem: string): boolean;
  /** Counts `count` releases, blobs, tags or audit entries lost or corrupted. */
  lost(count: number, what: string): void;
  /** Writes the scenario's row for the summary table. */
  record(): ScenarioResult;
}

export function createTally(scenario: string): Tally {
  const problems: string[] = [];
  const result: ScenarioResult = { scenario, trials: 0, requests: 0, failures: 0, dataLost: 0 };
  return {
    problems,
    trial() {
      result.trials += 1;
    },
    requests(count) {
      result.requests += count;
    },
    check(ok, problem) {
      if (!ok) {
        result.failures += 1;
        problems.push(problem);
      }
      return ok;
    },
    lost(count, what) {
      if (count === 0) return;
      result.dataLost += count;
      problems.push(`lost ${count}: ${what}`);
    },
    record() {
      recordScenario(result);
      return { ...result };
    },
  };
}
