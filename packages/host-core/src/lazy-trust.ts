import type { Trust } from './trust.js';

/**
 * A host's trust whose code is loaded when the host starts with a root, not before: `load`
 * imports the TUF verifier and makes the trust (createTrust). A host or page configured with
 * per-remote keys never loads it; one with a root waits for it exactly where it waits for the
 * first trust cycle anyway.
 */
export function createLazyTrust(load: () => Promise<Trust>): Trust {
  let trust: Trust | undefined;
  const loading = load().then((loaded) => {
    trust = loaded;
    return loaded;
  });
  // A failure to load is the failure of every call below, each rejecting with it.
  loading.catch(() => undefined);
  return {
    ready: () => loading.then((loaded) => loaded.ready()),
    refresh: (reason) => loading.then((loaded) => loaded.refresh(reason)),
    offer: (remote, spec) => loading.then((loaded) => loaded.offer(remote, spec)),
    stale: (remote) => trust?.stale(remote),
    summary: () => trust?.summary(),
    // Not loaded yet (or failing to load): no cycle has failed; a load failure rejects the calls above.
    failure: () => trust?.failure(),
  };
}
