import semver from 'semver';
import type { StateStore, VerifiedState } from './release.js';

/** What a host runs for a remote, as far as the replay rule needs to know. */
export interface RunningRelease {
  name: string;
  version: string;
  /** The tag state it was installed from, when it came from the registry by a tag. */
  tag?: { name: string; seq: number; signed?: boolean | undefined } | undefined;
}

/**
 * Why an offered release must be refused as a replay, or undefined to accept it. A tag may only
 * go back to an older version through a rollback, and a tag's state may only move forward:
 * anything else is an old statement replayed. Node and browser hosts share this rule.
 */
export function replayOf(
  current: RunningRelease,
  version: string,
  tag: { seq: number; kind: 'move' | 'rollback'; signed?: boolean | undefined } | undefined,
): string | undefined {
  const label = `${current.name}@${current.version}`;
  if (tag && current.tag && tag.seq < current.tag.seq) {
    return `${label}: the registry offered ${current.tag.name} at move #${tag.seq} (${version}), older than #${current.tag.seq} already seen`;
  }
  // A state its movers signed, at a later move: theirs to decide, whatever the versions (every
  // step of a signed rollback was checked by T1 where it was signed, at the registry and here).
  if (tag?.signed && current.tag?.signed && current.tag && tag.seq > current.tag.seq) return undefined;
  if (semver.lt(version, current.version) && tag?.kind !== 'rollback') {
    return `${label}: the registry offered the older ${version} without a rollback`;
  }
  return undefined;
}

/** A stored state as the replay rule reads it. */
export function runningFromState(state: VerifiedState): RunningRelease {
  return { name: state.name, version: state.version, ...(state.seq !== undefined && { tag: { name: state.spec, seq: state.seq, signed: state.signed } }) };
}

/** Whether `next` is older than `stored` by the replay rule: a state store never goes back to it. */
export function isOlderState(next: VerifiedState, stored: VerifiedState): boolean {
  const offered = next.seq === undefined ? undefined : { seq: next.seq, kind: next.kind ?? 'move', signed: next.signed };
  return replayOf(runningFromState(stored), next.version, offered) !== undefined;
}

/** A state store in memory (pages; tests): the same never-lower rule as the Node host's disk cache. */
export function createMemoryStateStore(): StateStore {
  const states = new Map<string, VerifiedState>();
  return {
    read: async (name, spec) => states.get(`${name}@${spec}`),
    async write(state) {
      const stored = states.get(`${state.name}@${state.spec}`);
      if (stored && isOlderState(state, stored)) return false;
      states.set(`${state.name}@${state.spec}`, state);
      return true;
    },
  };
}
