import type { SharedEntry } from '@modmesh/manifest';
import semver from 'semver';

/** What a running host or page provides to the remotes it loads, as it reports it to the registry. */
export interface ProvidingHost {
  service: string;
  kind: string;
  shared: readonly { name: string; version: string }[];
}

/** A shared package the new release asks for in a range that a host's copy no longer satisfies. */
export interface SharedRangeChange {
  /** The package (`jsonwebtoken`). */
  name: string;
  /** The range the older release asked for (`^9.0.0`), or undefined when it did not share the package. */
  before: string | undefined;
  after: string;
  /** The version the hosts provide, and which services they are (each once). */
  provided: string;
  services: string[];
  /**
   * A singleton (or a strict version): the hosts then fail to load the remote (a break). Otherwise
   * the remote loads a copy of its own there, which breaks nothing but is one more copy.
   */
  singleton: boolean;
}

/**
 * The shared packages of a new release whose `requiredVersion` no longer overlaps what the hosts
 * running the remote provide: each host's copy satisfied the older release's range (or the older
 * release did not share the package) and does not satisfy the new one. For a singleton (or a
 * strict version) that is a failure in those hosts at run time; a package that is neither only
 * makes the remote load a copy of its own.
 *
 * @example
 * sharedRangeChanges(previous.shared, next.shared, consumers).filter((change) => change.singleton)
 */
export function sharedRangeChanges(before: readonly SharedEntry[], after: readonly SharedEntry[], hosts: readonly ProvidingHost[]): SharedRangeChange[] {
  const breaks = new Map<string, SharedRangeChange>();
  for (const entry of after) {
    if (typeof entry.requiredVersion !== 'string') continue;
    const older = before.find((each) => each.name === entry.name)?.requiredVersion;
    for (const host of hosts) {
      const provided = host.shared.find((each) => each.name === entry.name)?.version;
      if (provided === undefined || semver.valid(provided) === null || satisfies(provided, entry.requiredVersion)) continue;
      if (typeof older === 'string' && !satisfies(provided, older)) continue;
      const key = `${entry.name}@${provided}`;
      const found = breaks.get(key) ?? {
        name: entry.name,
        before: typeof older === 'string' ? older : undefined,
        after: entry.requiredVersion,
        provided,
        services: [],
        singleton: entry.singleton || entry.strictVersion === true,
      };
      if (!found.services.includes(host.service)) found.services.push(host.service);
      breaks.set(key, found);
    }
  }
  return [...breaks.values()];
}

// --- internal ---

function satisfies(version: string, range: string): boolean {
  return semver.validRange(range) !== null && semver.satisfies(version, range, { includePrerelease: true });
}
