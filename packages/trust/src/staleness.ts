// S: whether a remote's trust metadata is stale (some document it depends on has expired), since
// when, and the summary a host puts in its status.
import type { TrustedSet } from './cycle.js';
import { parseExpires } from './text.js';

export interface Staleness {
  /** The expired document the remote depends on that expired first. */
  role: string;
  /** Its `expires`; undefined when the set never held a timestamp (nothing fresh was ever verified). */
  since: string | undefined;
  forMs: number | undefined;
}

/**
 * S: a remote is stale when the root, timestamp, snapshot or targets, or its own releases or
 * tags role, has expired at `now`; undefined when nothing it depends on has. Without `remote`,
 * only the documents every remote shares.
 */
export function staleness(set: TrustedSet, now: number, remote?: string): Staleness | undefined {
  if (!set.timestamp) return { role: 'timestamp', since: undefined, forMs: undefined };
  const documents = [set.root, set.timestamp, set.snapshot, set.targets, ...(remote ? [set.roles[`${remote}.releases`], set.roles[`${remote}.tags`]] : [])];
  let first: { role: string; expires: string; at: number } | undefined;
  for (const document of documents) {
    if (!document) continue;
    const at = parseExpires(document.signed.expires) as number;
    if (at <= now && (!first || at < first.at)) first = { role: document.role, expires: document.signed.expires, at };
  }
  return first && { role: first.role, since: first.expires, forMs: now - first.at };
}

export interface TrustSummary {
  rootVersion: number;
  timestampVersion: number | undefined;
  snapshotVersion: number | undefined;
  /** When the first of root, timestamp, snapshot and targets expires (ISO). */
  expiresAt: string | undefined;
}

/** What a host reports as `status().trust`. */
export function trustSummary(set: TrustedSet): TrustSummary {
  const expiries = [set.root, set.timestamp, set.snapshot, set.targets].filter((document) => document !== undefined).map((document) => document.signed.expires);
  return {
    rootVersion: set.root.signed.version,
    timestampVersion: set.timestamp?.signed.version,
    snapshotVersion: set.snapshot?.signed.version,
    expiresAt: set.timestamp ? expiries.sort()[0] : undefined,
  };
}
