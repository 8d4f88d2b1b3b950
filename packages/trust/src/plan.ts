// What to fetch next in a cycle, under which file name, and the most bytes to read for it (§2.7):
// the caller enforces `maxBytes` while reading, so an endless body is cut at the cap.
import type { ModmeshError } from '@modmesh/manifest/web';
import { type Cycle, required } from './cycle.js';
import { fileName } from './document.js';
import { delegationOf, notListed } from './roles.js';
import { ROOT_MAX_BYTES } from './root.js';
import type { MetaFile } from './schema.js';
import { REMOTE_ROLES, roleName } from './schema-targets.js';

export interface MetadataFetch {
  /** `root`, `timestamp`, `snapshot`, `targets`, `auth.releases`, ... */
  role: string;
  /** The file under the registry's metadata URL: `3.root.json`, `timestamp.json`, `12.auth.tags.json`. */
  file: string;
  /** Stop reading and refuse (`MODMESH_REMOTE_TOO_LARGE`) beyond this many bytes. */
  maxBytes: number;
}

/** Largest `timestamp.json` read (documented default, as tuf-js; ours is about 0.5 KB). */
export const TIMESTAMP_MAX_BYTES = 16 * 1024;
/** Cap for a snapshot, targets or role whose parent signed no length (we always sign one). */
export const UNSIGNED_LENGTH_MAX_BYTES = 4 * 1024 * 1024;

/** The next root version to try (a 404 ends the walk). */
export function rootFetch(cycle: Cycle): MetadataFetch {
  return { role: 'root', file: fileName('root', cycle.root.signed.version + 1), maxBytes: ROOT_MAX_BYTES };
}

export const TIMESTAMP_FETCH: MetadataFetch = Object.freeze({ role: 'timestamp', file: 'timestamp.json', maxBytes: TIMESTAMP_MAX_BYTES });

/** The snapshot the timestamp names, or undefined when the trusted one is it already. */
export function snapshotFetch(cycle: Cycle): MetadataFetch | undefined {
  return listedFetch('snapshot', required(cycle.timestamp, 'timestamp').signed.meta['snapshot.json'], cycle.snapshot);
}

/** The targets the snapshot names, or undefined when the trusted one is it already. */
export function targetsFetch(cycle: Cycle): MetadataFetch | undefined {
  return listedFetch('targets', required(cycle.snapshot, 'snapshot').signed.meta['targets.json'] as MetaFile, cycle.targets);
}

/**
 * The roles of the followed remotes that the snapshot names and the cycle does not hold yet. A
 * remote that targets does not delegate, or whose roles the snapshot does not list (not adopted
 * yet), is `unavailable`: only its slot fails, the cycle goes on.
 */
export function roleFetches(cycle: Cycle, remotes: readonly string[]): { fetches: MetadataFetch[]; unavailable: Record<string, ModmeshError> } {
  const targets = required(cycle.targets, 'targets').signed;
  const snapshot = required(cycle.snapshot, 'snapshot').signed;
  const fetches: MetadataFetch[] = [];
  const unavailable: Record<string, ModmeshError> = {};
  for (const remote of new Set(remotes)) {
    try {
      for (const kind of REMOTE_ROLES) delegationOf(targets, roleName(remote, kind));
    } catch (error) {
      unavailable[remote] = error as ModmeshError;
      continue;
    }
    const missing = REMOTE_ROLES.map((kind) => roleName(remote, kind)).find((role) => !snapshot.meta[`${role}.json`]);
    if (missing) {
      unavailable[remote] = notListed(remote, missing, snapshot.version);
      continue;
    }
    for (const kind of REMOTE_ROLES) {
      const role = roleName(remote, kind);
      const fetch = listedFetch(role, snapshot.meta[`${role}.json`] as MetaFile, cycle.roles[role]);
      if (fetch) fetches.push(fetch);
    }
  }
  return { fetches, unavailable };
}

/** True when `held` is the document `meta` signs: same version, and same length and hash where signed. */
export function isListed(held: { length: number; sha256: string; signed: { version: number } } | undefined, meta: MetaFile): boolean {
  return (
    held !== undefined &&
    held.signed.version === meta.version &&
    (meta.length === undefined || meta.length === held.length) &&
    (meta.hashes === undefined || meta.hashes.sha256 === held.sha256)
  );
}

// --- internal ---

function listedFetch(role: string, meta: MetaFile, held: Parameters<typeof isListed>[0]): MetadataFetch | undefined {
  if (isListed(held, meta)) return undefined;
  return { role, file: fileName(role, meta.version), maxBytes: meta.length ?? UNSIGNED_LENGTH_MAX_BYTES };
}
