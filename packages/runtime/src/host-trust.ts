// How a Node host decides what it may run, written once for createMesh and the stock runtime
// plugin: with a root of trust, the TUF verifier (loaded only then) says which release each
// remote runs and who signed it; without one, the publisher keys configured per remote do, and
// a remote with none is refused at once.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RegistryClient } from '@modmesh/api';
import { createLazyTrust, type HostOptions, parseRemotes, type Trust } from '@modmesh/host-core';
import { keyIdOf, ModmeshError, parsePublicKey } from '@modmesh/manifest';
import { acquireFromCache, acquireFromRegistry, type VerifiedRelease } from './acquire.js';
import type { ReleaseCache } from './cache.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

export interface HostTrustOptions {
  remotes: Record<string, string>;
  /** The root of trust: a path to `root.json` or its bytes. */
  root?: string | Uint8Array | undefined;
  /** Publisher keys per remote, without a root. */
  trust?: Record<string, readonly string[]> | undefined;
  client: RegistryClient;
  cache: ReleaseCache;
  log: Logger;
  counters: Metrics;
}

/** What createHost is given to decide what runs: `acquire`, `fromCache` and, with a root, `trust`. */
export type HostTrustPorts = Pick<HostOptions<VerifiedRelease>, 'acquire' | 'fromCache' | 'trust'>;

export function createHostTrust(options: HostTrustOptions): HostTrustPorts {
  const { client, cache } = options;
  if (options.root !== undefined) {
    const trust = rootTrust(options, options.root);
    // With a root, the trust keeps what boot from disk needs (the set and release documents).
    return { trust, acquire: (remote, answer) => acquireFromRegistry({ client, cache, trusted: new Map() }, remote.name, answer), fromCache: undefined };
  }
  const trusted = trustedKeys(options.remotes, options.trust ?? {});
  const keysOf = (name: string) => trusted.get(name) ?? new Map<string, KeyObject>();
  return {
    trust: undefined,
    acquire: (remote, answer) => acquireFromRegistry({ client, cache, trusted: keysOf(remote.name) }, remote.name, answer),
    fromCache: (remote) => acquireFromCache({ client, cache, trusted: keysOf(remote.name) }, remote.name, remote.spec),
  };
}

// --- internal ---

function rootTrust(options: HostTrustOptions, given: string | Uint8Array): Trust {
  if (options.trust) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', 'both `root` and `trust` are given: with a root, who may publish each remote is in the signed metadata', {
      hint: 'Remove `trust` (see the README, "Moving a registry and its hosts to a root").',
    });
  }
  const root = typeof given === 'string' ? readRootFile(given) : given;
  const remotes = [...new Set(parseRemotes(options.remotes).map((remote) => remote.name))];
  const { client, cache, log, counters } = options;
  return createLazyTrust(async () => (await import('./root-trust.js')).createRootTrust({ root, client, cache, remotes, log, counters }));
}

function readRootFile(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (cause) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', `the root of trust ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause})`, {
      hint: 'Point `root` at the root.json your registry’s root keys signed (`modmesh root pull --out root.json` fetches it, checked).',
      cause,
    });
  }
}

// The keys trusted for each remote, by key id; a remote with none is refused at once.
function trustedKeys(remotes: Record<string, string>, trust: Record<string, readonly string[]>): Map<string, Map<string, KeyObject>> {
  const trusted = new Map<string, Map<string, KeyObject>>();
  for (const { name } of parseRemotes(remotes)) {
    const keys = trust[name] ?? [];
    if (keys.length === 0) {
      throw new ModmeshError('MODMESH_CONFIG_INVALID', `no trusted key for remote ${name}: a host runs only releases signed by a key it trusts`, {
        remote: name,
        hint: `Add trust: { ${name}: ['ed25519:...'] } with the publisher's public key (modmesh keys generate prints it), or give the host a root of trust.`,
      });
    }
    trusted.set(name, new Map(keys.map((key) => [keyIdOf(key), parsePublicKey(key)])));
  }
  return trusted;
}
