import type { ContainerInfo, ModmeshError } from '@modmesh/manifest/web';
import { ModmeshError as CodedError } from '@modmesh/manifest/web';
import { createInstance, type ModuleFederationRuntimePlugin } from '@module-federation/runtime';
import { remoteOfRuntimeName, runtimeNameOf } from './container-name.js';
import { federationFailure } from './failures.js';
import type { CoreRelease } from './release.js';
import { copiesIn, type ShareScope, type ShareScopeMap, withOwnScopes } from './share-scopes.js';

/** A package the host provides to every remote (singletons by default). */
export interface SharedPackage {
  version: string;
  lib: () => unknown;
  /** @default true */
  singleton?: boolean;
  /** @default `^${version}` */
  requiredVersion?: string;
}

export interface SharedStatus {
  version: string;
  from: string;
  loaded: boolean;
  usedBy: string[];
}

/** The two functions every Module Federation container exposes. */
export interface FederationContainer {
  init(shareScope: unknown, initScope?: unknown, options?: unknown): unknown;
  get(expose: string): Promise<() => unknown>;
}

/** A release being installed, as the platform's loader sees it. */
export interface Installing<R extends CoreRelease> {
  /** The host's name for the remote (`auth`), whatever the build called its container. */
  remote: string;
  /** Its name in the federation runtime (see container-name.ts). */
  runtimeName: string;
  release: R;
  /** Files of the release that ran, entry first; the loader adds to it. */
  evaluated: string[];
}

export interface LoadedContainer {
  container: FederationContainer;
  /** The container's bundled runtime made a federation instance of its own, renamed to the runtime name. */
  ownInstance: boolean;
}

export interface FederationOptions<R extends CoreRelease> {
  /** The host's name in share scopes. */
  hostName: string;
  /** Part of every runtime name: no other host in the process (or page) is handed this host's containers. */
  hostId: string;
  shared: Record<string, SharedPackage>;
  /** Evaluates a release's entry from verified bytes (Node) or through `<script integrity>` (pages). */
  loadContainer(installing: Installing<R>): Promise<LoadedContainer> | LoadedContainer;
  /** A platform's explanation of a failed module load (a page looks at a refused chunk's bytes); undefined: the common one. */
  explain?(error: unknown, release: R, expose: string): Promise<ModmeshError | undefined>;
  /** How long loading one module may take. @default no limit */
  loadDeadlineMs?: number;
}

export interface Federation<R extends CoreRelease> {
  /**
   * Makes `release` the one the host's remote `remote` loads its modules from, and loads
   * `exposes` from it. If any fails, or `accept` throws on the loaded modules, the previous
   * release stays registered and the error is thrown: nothing changed.
   */
  install(remote: string, release: R, exposes: readonly string[], accept?: (modules: Map<string, unknown>) => void): Promise<Map<string, unknown>>;
  /** One more expose of the installed release of `remote`. */
  load(remote: string, expose: string): Promise<unknown>;
  /** Which files of the installed release of `remote` ran. */
  evaluated(remote: string): readonly string[];
  /** Every shared copy: the host's, and each running remote's own, by the host's names. */
  shared(): Record<string, SharedStatus[]>;
}

type EntryExports = Awaited<ReturnType<NonNullable<ModuleFederationRuntimePlugin['loadEntry']>>>;

interface Installed<R extends CoreRelease> extends Installing<R> {
  entry: string;
  loaded?: LoadedContainer;
  /** The share scopes its container was initialised with (see share-scopes.ts). */
  scopes?: ShareScopeMap;
}

/**
 * The Module Federation runtime (`@module-federation/runtime`) as a modmesh host uses it, on
 * Node and in pages: share scopes, singletons and version checks behave as in stock Module
 * Federation, but a remote's entry is never fetched by the runtime (the platform's loader gives
 * it a container from verified bytes), and containers are known by names the host makes (the
 * remote it asked for and the entry's signed digest), never by the names their builds chose, so
 * a remote's container only ever answers that remote's imports.
 */
export function createFederation<R extends CoreRelease>(options: FederationOptions<R>): Federation<R> {
  const byEntry = new Map<string, Installed<R>>();
  const current = new Map<string, Installed<R>>();

  const plugin: ModuleFederationRuntimePlugin = {
    name: 'modmesh-verified-loader',
    // Runs before the SDK's own loader, which would fetch the entry without a deadline and
    // evaluate whatever came back. An entry modmesh did not install is refused, not fetched.
    async loadEntry({ remoteInfo }) {
      const loaded = byEntry.get(remoteInfo.entry)?.loaded;
      if (!loaded) {
        throw new CodedError('MODMESH_NO_VERIFIED_RELEASE', `${remoteInfo.name}: no verified release is installed for ${remoteInfo.entry}`, {
          remote: remoteOfRuntimeName(remoteInfo.name) ?? remoteInfo.name,
        });
      }
      return loaded.container as unknown as EntryExports;
    },
    // Each container is initialised with share scopes of its own (the host's copies, and its
    // own), and with the host's name for it when its runtime made an instance (renamed to it).
    async beforeInitContainer(args) {
      const installed = byEntry.get(args.remoteInfo.entry);
      if (!installed) return args;
      return withOwnScopes(
        args,
        instance.shareScopeMap as unknown as ShareScopeMap,
        installed,
        installed.loaded?.ownInstance ? installed.runtimeName : undefined,
      );
    },
  };

  const instance = createInstance({
    name: options.hostName,
    remotes: [],
    shared: Object.fromEntries(
      Object.entries(options.shared).map(([name, pkg]) => [
        name,
        { version: pkg.version, lib: pkg.lib, shareConfig: { singleton: pkg.singleton ?? true, requiredVersion: pkg.requiredVersion ?? `^${pkg.version}` } },
      ]),
    ),
    plugins: [plugin],
  });

  const register = (installed: Installed<R>): void => {
    instance.registerRemotes([{ name: installed.runtimeName, entry: installed.entry }]);
  };
  const unregister = (name: string): void => {
    // What registerRemotes({ force: true }) does, without its warning on every swap: drops the
    // runtime's module cache, loading state and the remote's instance from the globals, so the
    // old container becomes unreachable once its last in-flight call returns. removeRemote is
    // public at run time but typed private; the ~2.9 pin and the swap tests guard this use.
    const remote = instance.options.remotes.find((candidate) => candidate.name === name);
    if (remote) (instance.remoteHandler as unknown as { removeRemote(remote: unknown): void }).removeRemote(remote);
  };
  const load = async (installed: Installed<R>, expose: string): Promise<unknown> => {
    const { release } = installed;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline =
      options.loadDeadlineMs === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new CodedError('MODMESH_REMOTE_TIMEOUT', `${release.name}@${release.version}: ${expose} did not load within ${options.loadDeadlineMs} ms`, {
                    remote: release.name,
                    version: release.version,
                  }),
                ),
              options.loadDeadlineMs,
            );
          });
    try {
      const loading = instance.loadRemote(`${installed.runtimeName}/${expose.replace(/^\.\//, '')}`);
      const module = await (deadline ? Promise.race([loading, deadline]) : loading);
      if (module === null || module === undefined) throw new Error(`Module "${expose}" does not exist in container.`);
      return module;
    } catch (error) {
      const explained = await options.explain?.(error, release, expose);
      throw explained ?? federationFailure(error, subjectOf(release, expose));
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async install(remote, release, exposes, accept) {
      const sha256 = entryDigest(release);
      const runtimeName = runtimeNameOf(remote, sha256, options.hostId);
      const entry = `modmesh:${release.name}@${release.version}/${release.container.entry}#${sha256.slice(0, 16)}.${options.hostId}`;
      const previous = current.get(remote);
      const next: Installed<R> = { remote, runtimeName, entry, release, evaluated: [] };
      // The entry is evaluated now, not at the first import: a release whose entry throws fails
      // its install, so the host keeps (or boots from) a release that works.
      try {
        next.loaded = await options.loadContainer(next);
      } catch (error) {
        throw federationFailure(error, subjectOf(release));
      }
      byEntry.set(entry, next);
      if (previous) unregister(previous.runtimeName);
      register(next);
      try {
        const modules = new Map<string, unknown>();
        for (const expose of exposes) modules.set(expose, await load(next, expose));
        accept?.(modules);
        current.set(remote, next);
        if (previous && previous.entry !== entry) byEntry.delete(previous.entry);
        return modules;
      } catch (error) {
        unregister(runtimeName);
        byEntry.delete(entry);
        if (previous) {
          byEntry.set(previous.entry, previous);
          register(previous);
        }
        throw error;
      }
    },
    async load(remote, expose) {
      const installed = current.get(remote);
      if (!installed) throw new CodedError('MODMESH_NO_VERIFIED_RELEASE', `${remote}: no release is installed`, { remote });
      return load(installed, expose);
    },
    evaluated(remote) {
      return current.get(remote)?.evaluated ?? [];
    },
    shared() {
      const scopes = [instance.shareScopeMap.default, ...[...current.values()].map((installed) => installed.scopes?.default)];
      const shown = (name: string): string => remoteOfRuntimeName(name) ?? name;
      return Object.fromEntries(
        [...copiesIn(scopes.filter((scope): scope is ShareScope => scope !== undefined) as ShareScope[])].map(([name, copies]) => [
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

function entryDigest(release: CoreRelease): string {
  return release.manifest.files.find((file) => file.path === release.container.entry)?.sha256 ?? 'unknown';
}

function subjectOf(release: CoreRelease, expose?: string) {
  return {
    remote: release.name,
    version: release.version,
    entry: release.container.entry,
    ...(expose !== undefined && { expose }),
    exposes: (release.container as ContainerInfo).exposes.map((item) => item.name),
  };
}
