import path from 'node:path';
import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import { createInstance, type ModuleFederationRuntimePlugin } from '@module-federation/runtime';
import { evaluateContainer } from './evaluate-container.js';
import type { Deadlines } from './fetch-file.js';
import { fetchRemoteFiles } from './remote-files.js';

/** A package the host provides to every remote from its own node_modules. */
export interface SharedPackage {
  version: string;
  lib: () => unknown;
  singleton?: boolean;
  requiredVersion?: string;
}

export interface FederationHostOptions {
  /** The host's name in the share scope (`user_service`). */
  name: string;
  /** Remote name → its `remoteEntry.js` URL. */
  remotes: Record<string, string>;
  shared: Record<string, SharedPackage>;
  deadlines?: Partial<Deadlines>;
  /** Told about every remote that loads. */
  onRemoteLoaded?: (event: { remote: string; url: string; fingerprint: string; files: number }) => void;
}

export interface SharedStatus {
  version: string;
  /** The container whose copy is in use. */
  from: string;
  loaded: boolean;
  usedBy: string[];
}

/** What was loaded for a remote: where from, which build, and which of its files ran. */
export interface RemoteStatus {
  url: string;
  fingerprint: string;
  loadedAt: string;
  fetched: string[];
  evaluated: string[];
}

export interface FederationHost {
  /** Loads `remote/expose` through the Module Federation runtime; rejects with a coded error. */
  load<T>(id: string): Promise<T>;
  /** Every shared package in the default share scope, by name: which copy is provided and used. */
  shared(): Record<string, SharedStatus[]>;
  /** Every remote loaded so far, by name. */
  remotes(): Record<string, RemoteStatus>;
}

// Where a remote's code believes it lives. Nothing is read from there: its files are served from
// memory (see evaluate-container.ts); the path only names the remote and build in stack traces.
const VIRTUAL_ROOT = path.resolve('.modmesh/remotes');

/**
 * A Module Federation host (`@module-federation/runtime`) whose remotes are fetched with deadlines
 * and checks, then evaluated from memory, instead of by the stock Node loader.
 */
export function createFederationHost(options: FederationHostOptions): FederationHost {
  const loaded = new Map<string, RemoteStatus>();
  const instance = createInstance({
    name: options.name,
    remotes: Object.entries(options.remotes).map(([name, entry]) => ({ name, entry })),
    shared: Object.fromEntries(
      Object.entries(options.shared).map(([name, pkg]) => [
        name,
        {
          version: pkg.version,
          lib: pkg.lib,
          shareConfig: { singleton: pkg.singleton ?? true, requiredVersion: pkg.requiredVersion ?? `^${pkg.version}` },
        },
      ]),
    ),
    plugins: [checkedLoaderPlugin(options, loaded)],
  });

  return {
    async load<T>(id: string): Promise<T> {
      try {
        const loaded = await instance.loadRemote<T>(id);
        if (loaded === null || loaded === undefined) {
          throw new ModmeshError('MODMESH_EXPOSE_NOT_FOUND', `${id}: the remote returned nothing for it`, { remote: id.split('/')[0] });
        }
        return loaded;
      } catch (error) {
        throw toCodedError(error, id);
      }
    },
    remotes() {
      return Object.fromEntries([...loaded].map(([name, status]) => [name, { ...status, evaluated: [...status.evaluated] }]));
    },
    shared() {
      const scope = instance.shareScopeMap.default ?? {};
      return Object.fromEntries(
        Object.entries(scope).map(([name, versions]) => [
          name,
          Object.entries(versions).map(([version, entry]) => ({
            version,
            from: entry.from,
            loaded: Boolean(entry.loaded),
            usedBy: [...(entry.useIn ?? [])],
          })),
        ]),
      );
    },
  };
}

// --- internal ---

function checkedLoaderPlugin(options: FederationHostOptions, loaded: Map<string, RemoteStatus>): ModuleFederationRuntimePlugin {
  return {
    name: 'modmesh-checked-loader',
    // Runs before the SDK's own Node loader (which fetches without a deadline and evaluates
    // whatever comes back); returning the container means the SDK's loader never runs.
    async loadEntry({ remoteInfo }) {
      const entryUrl = options.remotes[remoteInfo.name];
      if (!entryUrl) return undefined;
      const { entry, files, fingerprint } = await fetchRemoteFiles({ remote: remoteInfo.name, entryUrl, deadlines: options.deadlines });
      const status: RemoteStatus = { url: entryUrl, fingerprint, loadedAt: new Date().toISOString(), fetched: [...files.keys()], evaluated: [] };
      const container = evaluateContainer({
        remote: remoteInfo.name,
        root: path.join(VIRTUAL_ROOT, remoteInfo.name, fingerprint.slice(0, 16)),
        entry,
        files,
        onEvaluate: (file) => status.evaluated.push(file),
      });
      loaded.set(remoteInfo.name, status);
      options.onRemoteLoaded?.({ remote: remoteInfo.name, url: entryUrl, fingerprint, files: files.size });
      // The runtime's type for a container is structural, like ours; only its parameter types differ.
      return container as unknown as Awaited<ReturnType<NonNullable<ModuleFederationRuntimePlugin['loadEntry']>>>;
    },
  };
}

function toCodedError(error: unknown, id: string): ModmeshError {
  if (isModmeshError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const remote = id.split('/')[0];
  if (/does not exist in container/.test(message)) {
    return new ModmeshError('MODMESH_EXPOSE_NOT_FOUND', `${id}: the remote does not expose it`, { remote, cause: error });
  }
  if (/RUNTIME-00[56]|[Ss]ingleton|requiredVersion|strictVersion/.test(message)) {
    return new ModmeshError('MODMESH_SHARED_VERSION_CONFLICT', `${id}: ${message}`, { remote, cause: error });
  }
  return new ModmeshError('MODMESH_REMOTE_EVALUATION_FAILED', `${id}: ${message}`, { remote, cause: error });
}
