import semver from 'semver';

/** What a host runs for a remote, as far as the replay rule needs to know. */
export interface RunningRelease {
  name: string;
  version: string;
  /** The tag state it was installed from, when it came from the registry by a tag. */
  tag?: { name: string; seq: number } | undefined;
}

/**
 * Why an offered release must be refused as a replay, or undefined to accept it. A tag may only
 * go back to an older version through a rollback, and a tag's state may only move forward:
 * anything else is an old statement replayed. Node and browser hosts share this rule.
 */
export function replayOf(current: RunningRelease, version: string, tag: { seq: number; kind: 'move' | 'rollback' } | undefined): string | undefined {
  const label = `${current.name}@${current.version}`;
  if (tag && current.tag && tag.seq < current.tag.seq) {
    return `${label}: the registry offered ${current.tag.name} at move #${tag.seq} (${version}), older than #${current.tag.seq} already seen`;
  }
  if (semver.lt(version, current.version) && tag?.kind !== 'rollback') {
    return `${label}: the registry offered the older ${version} without a rollback`;
  }
  return undefined;
}
