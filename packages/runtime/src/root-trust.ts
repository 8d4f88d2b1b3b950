// What a Node host with a root of trust adds: the TUF verifier (@modmesh/trust) with node:crypto,
// and its store on disk. mesh.ts imports this module only when a root is given, so a host with
// per-remote keys never loads the verifier or its schemas.
import type { RegistryClient } from '@modmesh/api';
import { createTrust, type Trust } from '@modmesh/host-core';
import { createNodeCrypto } from '@modmesh/trust/node';
import type { ReleaseCache } from './cache.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { createNodeTrustStore } from './trust-store.js';

export interface RootTrustOptions {
  root: Uint8Array;
  client: RegistryClient;
  cache: ReleaseCache;
  remotes: string[];
  log: Logger;
  counters: Metrics;
}

export function createRootTrust(options: RootTrustOptions): Trust {
  const { client } = options;
  return createTrust({
    root: options.root,
    crypto: createNodeCrypto(),
    store: createNodeTrustStore(options.cache),
    metadata: (file, maxBytes) => client.tufMetadata(file, maxBytes),
    target: (file, maxBytes) => client.tufTarget(file, maxBytes),
    remotes: options.remotes,
    log: options.log,
    counters: options.counters,
  });
}
