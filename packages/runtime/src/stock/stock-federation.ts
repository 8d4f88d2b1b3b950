import {
  copiesIn,
  type Federation,
  type FederationContainer,
  federationFailure,
  privateShareScopes,
  remoteOfRuntimeName,
  runtimeNameOf,
  type ShareScope,
  type ShareScopeMap,
} from '@modmesh/host-core';
import { ModmeshError } from '@modmesh/manifest';
import type { VerifiedRelease } from '../acquire.js';
import { loadNodeContainer } from '../node-federation.js';

/** What the stock host's own Module Federation instance gives a release: its share scopes. */
export interface StockHost {
  shareScopeMap: ShareScopeMap;
}

interface Running {
  release: VerifiedRelease;
  container: FederationContainer;
  scopes: ShareScopeMap;
  evaluated: string[];
}

/**
 * The Federation port of a stock Module Federation host that adopted modmesh with its runtime
 * plugin: a release's container is evaluated from verified bytes (as in every Node host) and
 * initialised by modmesh with share scopes of its own, made from the host instance's (the
 * host's singletons, and the container's own copies); the host's runtime only ever sees the
 * plugin's stand-in container, whose modules follow the running release (live-module.ts).
 */
export function createStockFederation(options: { hostId: string; host: () => Promise<StockHost> }): Federation<VerifiedRelease> {
  const current = new Map<string, Running>();

  const moduleOf = async (running: Running, expose: string): Promise<unknown> => {
    try {
      const factory = await running.container.get(expose);
      return factory();
    } catch (error) {
      throw federationFailure(error, subject(running.release, expose));
    }
  };

  return {
    async install(remote, release, exposes, accept) {
      const sha256 = release.manifest.files.find((file) => file.path === release.container.entry)?.sha256 ?? 'unknown';
      const runtimeName = runtimeNameOf(remote, sha256, options.hostId);
      const evaluated: string[] = [];
      let loaded: ReturnType<typeof loadNodeContainer>;
      try {
        loaded = loadNodeContainer({ remote, runtimeName, release, evaluated });
      } catch (error) {
        throw federationFailure(error, subject(release));
      }
      const scopes = privateShareScopes((await options.host()).shareScopeMap);
      scopes.default ??= {};
      // As the federation runtime initialises a container (module/index.js), with this
      // container's own scopes, and the host's name for it when its runtime made an instance.
      const initOptions = { version: release.version, shareScopeKeys: 'default', ...(loaded.ownInstance && { name: runtimeName }) };
      Object.defineProperty(initOptions, 'shareScopeMap', { value: scopes, enumerable: false });
      try {
        await loaded.container.init(scopes.default, [], initOptions);
      } catch (error) {
        throw federationFailure(error, subject(release));
      }
      const running: Running = { release, container: loaded.container, scopes, evaluated };
      const modules = new Map<string, unknown>();
      for (const expose of exposes) modules.set(expose, await moduleOf(running, expose));
      accept?.(modules);
      current.set(remote, running);
      return modules;
    },
    async load(remote, expose) {
      const running = current.get(remote);
      if (!running) throw new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', `${remote}: no release is installed`, { remote });
      return moduleOf(running, expose);
    },
    evaluated: (remote) => current.get(remote)?.evaluated ?? [],
    shared() {
      const scopes = [...current.values()].map((running) => running.scopes.default).filter((scope): scope is ShareScope => scope !== undefined);
      const shown = (name: string): string => remoteOfRuntimeName(name) ?? name;
      return Object.fromEntries(
        [...copiesIn(scopes)].map(([name, copies]) => [
          name,
          [...copies].map((copy) => {
            const entry = copy as { version: string; from: string; loaded?: unknown; useIn?: string[] };
            return { version: entry.version, from: shown(entry.from), loaded: Boolean(entry.loaded), usedBy: [...new Set((entry.useIn ?? []).map(shown))] };
          }),
        ]),
      );
    },
  };
}

// --- internal ---

function subject(release: VerifiedRelease, expose?: string) {
  return {
    remote: release.name,
    version: release.version,
    entry: release.container.entry,
    ...(expose !== undefined && { expose }),
    exposes: release.container.exposes.map((item) => item.name),
  };
}
