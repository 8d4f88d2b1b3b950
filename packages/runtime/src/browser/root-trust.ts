// What a page with a root of trust adds: the TUF verifier (@modmesh/trust) with WebCrypto, and
// what it verified kept in memory (a reload starts from the root again). mesh.ts imports this
// module only when a root is given, so a page with per-remote keys never loads the verifier or
// its schemas (the page's bundler makes it a chunk of its own).
import type { RegistryClient } from '@modmesh/api';
import { createTrust, type Trust, type TrustOptions, type TrustStore } from '@modmesh/host-core';
import { createWebCrypto } from '@modmesh/trust';

export function createPageRootTrust(options: { root: string; client: RegistryClient; remotes: string[]; log: TrustOptions['log'] }): Trust {
  const { client } = options;
  return createTrust({
    root: new TextEncoder().encode(options.root),
    crypto: createWebCrypto(),
    store: memoryTrustStore(),
    metadata: (file, maxBytes) => client.tufMetadata(file, maxBytes),
    target: (path, maxBytes) => client.tufTarget(path, maxBytes),
    remotes: options.remotes,
    log: options.log,
    counters: { inc: () => undefined },
  });
}

// --- internal ---

function memoryTrustStore(): TrustStore {
  let roots: Uint8Array[] = [];
  let set: unknown;
  return {
    readRoots: async () => roots,
    writeRoots: async (chain) => {
      roots = [...chain];
    },
    readSet: async () => set,
    writeSet: async (next) => {
      set = next;
    },
  };
}
