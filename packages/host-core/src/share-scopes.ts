// What a remote's container sees of the share scopes when it is initialised.

/** pkg → version → the runtime's entry for that copy (its `get`, `lib`, `from`, `loaded`...). */
export type ShareScope = Record<string, Record<string, object>>;
export type ShareScopeMap = Record<string, ShareScope>;

/**
 * The share scopes to initialise one remote's container with: every copy the host provides (the
 * same entries, so a host singleton stays one copy, loaded once, whoever uses it), and nothing
 * another remote provides. What the container registers goes into these scopes only.
 *
 * Stock Module Federation puts every container's copies into one scope and hands each import the
 * highest version (or whichever registered first): another remote's bundled copy of a package
 * would then answer this remote's import, signed by a key not trusted for this remote. Here a
 * remote's shared import is answered by the host's copy or by its own.
 */
export function privateShareScopes(host: ShareScopeMap): ShareScopeMap {
  return Object.fromEntries(
    Object.entries(host).map(([key, scope]) => [key, Object.fromEntries(Object.entries(scope).map(([pkg, versions]) => [pkg, { ...versions }]))]),
  );
}

/**
 * The arguments a container is initialised with (the runtime's `beforeInitContainer` hook), with
 * `holder`'s own share scopes (made from `host` on first use) in place of the host's, and its
 * instance's name when `name` is given. Node and browser hosts share this.
 */
export function withOwnScopes<T extends { shareScope: unknown; remoteEntryInitOptions: object }>(
  args: T,
  host: ShareScopeMap,
  holder: { scopes?: ShareScopeMap },
  name?: string,
): T {
  holder.scopes ??= privateShareScopes(host);
  const scopes = holder.scopes;
  const key = Object.keys(host).find((candidate) => host[candidate] === args.shareScope) ?? 'default';
  scopes[key] ??= {};
  const remoteEntryInitOptions = { ...args.remoteEntryInitOptions, ...(name !== undefined && { name }) };
  // Where a container with several share scopes looks them up; not enumerable, as the runtime makes it.
  Object.defineProperty(remoteEntryInitOptions, 'shareScopeMap', { value: scopes, enumerable: false });
  return { ...args, shareScope: scopes[key], remoteEntryInitOptions };
}

/** Every copy in `scopes`, once each (a host copy is in every remote's scopes too), by package. */
export function copiesIn(scopes: readonly ShareScope[]): Map<string, Set<object>> {
  const copies = new Map<string, Set<object>>();
  for (const scope of scopes) {
    for (const [pkg, versions] of Object.entries(scope)) {
      const known = copies.get(pkg) ?? new Set<object>();
      for (const entry of Object.values(versions)) known.add(entry);
      copies.set(pkg, known);
    }
  }
  return copies;
}
