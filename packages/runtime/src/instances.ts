// The Module Federation runtime's process-wide list of instances, as a remote's bundled runtime
// sees it while its entry is evaluated.
//
// Every container built by @module-federation/enhanced or rspack carries its own copy of the
// federation runtime, which creates the container's instance when the entry runs: it first looks
// in `globalThis.__FEDERATION__.__INSTANCES__` for one with the build's name (or build id, which
// is the name plus "local" by default) and joins it if found. Two remotes whose builds chose the
// same name would then share one instance (plugins, shared-module providers, loaded remotes), and
// a build named like the host would join the host's. So an entry is evaluated against an empty
// list, and the instance it creates is renamed to the name the host chose before it is listed.

/** The parts of a federation instance (of any copy of the runtime) this module touches. */
interface FederationInstance {
  name: string;
  options: { name: string; id?: string; shared?: Record<string, { from?: string }[]> };
  shareScopeMap?: unknown;
}

interface FederationGlobal {
  __INSTANCES__: FederationInstance[];
  __SHARE__?: Record<string, unknown>;
}

/**
 * Runs `evaluate` (which must be synchronous: a remote's entry) so that the code it runs finds no
 * existing federation instance, then lists the instances it created under `name`. Returns how
 * many it created: 0 for a container without a bundled runtime, 1 for every stock build.
 */
export function evaluateWithOwnInstance<T>(name: string, evaluate: () => T): { result: T; created: number } {
  const federation = federationGlobal();
  if (!federation) return { result: evaluate(), created: 0 };
  const listed = federation.__INSTANCES__;
  const own: FederationInstance[] = [];
  federation.__INSTANCES__ = own;
  let result: T;
  try {
    result = evaluate();
  } finally {
    // Whatever the entry did to the list, the host's list comes back, plus what the entry made.
    federation.__INSTANCES__ = listed;
  }
  for (const instance of own) {
    rename(instance, name, federation);
    listed.push(instance);
  }
  return { result, created: own.length };
}

/**
 * Whether the process already has a federation instance called `name` (the host's, or one of a
 * runtime other than modmesh's). A container whose runtime made no instance of its own while its
 * entry ran would join such an instance when it is initialised, if its build has that name.
 */
export function instanceNamed(name: string): boolean {
  return federationGlobal()?.__INSTANCES__.some((instance) => instance.name === name || instance.options.name === name) ?? false;
}

// --- internal ---

function federationGlobal(): FederationGlobal | undefined {
  const federation = (globalThis as { __FEDERATION__?: FederationGlobal }).__FEDERATION__;
  return federation && Array.isArray(federation.__INSTANCES__) ? federation : undefined;
}

// The instance's name is what the runtime records as the provider (`from`) and user (`useIn`) of
// shared modules, and what removing a remote looks for to drop its instance and its unused
// providers: after this, all of it is the host's name for the container.
function rename(instance: FederationInstance, name: string, federation: FederationGlobal): void {
  const previous = instance.options.id || instance.name;
  for (const versions of Object.values(instance.options.shared ?? {})) {
    for (const shared of versions) if (shared.from === instance.name) shared.from = name;
  }
  instance.name = name;
  instance.options.name = name;
  instance.options.id = name;
  const shares = federation.__SHARE__;
  if (shares && previous && shares[previous] === instance.shareScopeMap) {
    delete shares[previous];
    shares[name] = instance.shareScopeMap;
  }
}
