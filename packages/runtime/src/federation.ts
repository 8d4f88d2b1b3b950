import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import { createInstance, type ModuleFederationRuntimePlugin } from '@module-federation/runtime';
import type { VerifiedRelease } from './acquire.js';
import { remoteOfRuntimeName, runtimeNameOf } from './container-name.js';
import { evaluateContainer, type FederationContainer } from './evaluate.js';
import { evaluateWithOwnInstance, instanceNamed } from './instances.js';
import { copiesIn, type ShareScope, type ShareScopeMap, withOwnScopes } from './share-scopes.js';

/** A package the host provides to every remote from its own node_modules. */
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

export interface Federation {
  /**
   * Makes `release` the one the host's remote `remote` loads its modules from, and loads
   * `exposes` from it. If any fails, or `accept` throws on the loaded modules, the previous
   * release stays registered and the error is thrown: nothing changed.
   */
  install(
    remote: string,
    release: VerifiedRelease,
    exposes: readonly string[],
    accept?: (modules: Map<string, unknown>) => void,
  ): Promise<Map<string, unknown>>;
  /** One more expose of the installed release of `remote`. */
  load(remote: string, expose: string): Promise<unknown>;
  /** Which files of the installed release of `remote` ran. */
  evaluated(remote: string): readonly string[];
  shared(): Record<string, SharedStatus[]>;
}

type EntryExports = Awaited<ReturnType<NonNullable<ModuleFederationRuntimePlugin['loadEntry']>>>;

interface Installed {
  /** The host's name for the remote (`auth`), whatever the build called its container. */
  remote: string;
  /** Its name in the federation runtime (see container-name.ts). */
  runtimeName: string;
  entry: string;
  release: VerifiedRelease;
  container?: FederationContainer;
  /** Whether the container's bundled federation runtime made an instance, renamed to `runtimeName`. */
  ownInstance: boolean;
  /** The share scopes its container was initialised with (see share-scopes.ts). */
  scopes?: ShareScopeMap;
  evaluated: string[];
}

/**
 * The Module Federation runtime (`@module-federation/runtime`) as a host uses it, with one
 * difference: a remote's entry is never fetched by the runtime. It is evaluated from a
 * `VerifiedRelease` (see evaluate.ts), so share scopes, singletons and version checks behave as
 * in stock Module Federation, on bytes that a trusted signature covers.
 *
 * Containers are known to the runtime by names the host makes (the remote it asked for and the
 * entry's signed digest), never by the name their build chose, so a remote's container only
 * ever answers that remote's imports (see container-name.ts and instances.ts).
 */
export function createFederation(options: { hostName: string; shared: Record<string, SharedPackage> }): Federation {
  const hostId = randomBytes(6).toString('hex');
  const byEntry = new Map<string, Installed>();
  const current = new Map<string, Installed>();

  const containerOf = (installed: Installed): FederationContainer => {
    if (installed.container) return installed.container;
    const { result, created } = evaluateWithOwnInstance(installed.runtimeName, () =>
      evaluateContainer({
        remote: installed.release.name,
        version: installed.release.version,
        root: installed.release.root,
        entry: installed.release.entry,
        files: installed.release.files,
        declaredName: installed.release.container.name,
        onEvaluate: (file) => installed.evaluated.push(file),
      }),
    );
    // Every stock build makes its instance while its entry runs (and it is its own). One that
    // did not, and whose build claims the name of an instance already there, would join that
    // instance when initialised: refused rather than merged.
    const claimed = installed.release.container.name;
    if (created === 0 && instanceNamed(claimed)) {
      throw new ModmeshError(
        'MODMESH_CONTAINER_NAME_CLASH',
        `${installed.release.name}@${installed.release.version}: its container is named ${claimed}, like a Module Federation instance already in this process, and made no instance of its own when its entry ran; it was not used`,
        { remote: installed.release.name, version: installed.release.version, file: installed.release.entry },
      );
    }
    installed.container = result;
    installed.ownInstance = created > 0;
    return result;
  };

  const plugin: ModuleFederationRuntimePlugin = {
    name: 'modmesh-verified-loader',
    // Runs before the SDK's own loader, which would fetch the entry without a deadline and
    // evaluate whatever came back. An entry modmesh does not know is refused, not fetched.
    async loadEntry({ remoteInfo }) {
      const installed = byEntry.get(remoteInfo.entry);
      if (!installed) {
        throw new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', `${remoteInfo.name}: no verified release is installed for ${remoteInfo.entry}`, {
          remote: remoteInfo.name,
        });
      }
      return containerOf(installed) as unknown as EntryExports;
    },
    // Each container is initialised with share scopes of its own (the host's copies, and its
    // own), and with the host's name for it: its runtime re-applies its build's name otherwise,
    // which its instance was renamed away from when the entry ran.
    async beforeInitContainer(args) {
      const installed = byEntry.get(args.remoteInfo.entry);
      if (!installed) return args;
      return withOwnScopes(args, instance.shareScopeMap as unknown as ShareScopeMap, installed, installed.ownInstance ? installed.runtimeName : undefined);
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

  const register = (installed: Installed): void => {
    instance.registerRemotes([{ name: installed.runtimeName, entry: installed.entry }]);
  };
  const unregister = (name: string): void => {
    // What registerRemotes({ force: true }) does, without its warning on every swap: drops the
    // runtime's module cache, loading state and the remote's instance from the globals, so the
    // old container becomes unreachable once its last in-flight call returns.
    // removeRemote is public at run time but typed private; the ~2.9 pin and the swap tests
    // guard this use.
    const remote = instance.options.remotes.find((candidate) => candidate.name === name);
    if (remote) (instance.remoteHandler as unknown as { removeRemote(remote: unknown): void }).removeRemote(remote);
  };
  const load = async (installed: Installed, expose: string): Promise<unknown> => {
    const id = `${installed.runtimeName}/${expose.replace(/^\.\//, '')}`;
    try {
      const module = await instance.loadRemote(id);
      if (module === null || module === undefined) throw new Error(`Module "${expose}" does not exist in container.`);
      return module;
    } catch (error) {
      throw toCodedError(error, installed.release, expose);
    }
  };

  return {
    async install(remote, release, exposes, accept) {
      // The runtime caches loaded entries process-wide by remote name and entry string. Naming
      // the entry's content and this host makes sure no other host in the process, and no other
      // release published under the same version elsewhere, can be handed this container.
      const sha256 = release.manifest.files.find((file) => file.path === release.container.entry)?.sha256 ?? 'unknown';
      const runtimeName = runtimeNameOf(remote, sha256, hostId);
      const entry = `modmesh:${release.name}@${release.version}/${release.entry}#${sha256.slice(0, 16)}.${hostId}`;
      const previous = current.get(remote);
      const next: Installed = { remote, runtimeName, entry, release, ownInstance: false, evaluated: [] };
      byEntry.set(entry, next);
      if (previous) unregister(previous.runtimeName);
      register(next);
      try {
        // The entry is evaluated now, not at the first import: a release whose entry throws
        // fails its install, so the host keeps (or boots from) a release that works.
        containerOf(next);
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
      if (!installed) throw new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', `${remote}: no release is installed`, { remote });
      return load(installed, expose);
    },
    evaluated(remote) {
      return current.get(remote)?.evaluated ?? [];
    },
    shared() {
      // The host's copies and every running remote's own, by the names the host knows them by.
      const scopes = [instance.shareScopeMap.default, ...[...current.values()].map((installed) => installed.scopes?.default)];
      const shown = (name: string): string => remoteOfRuntimeName(name) ?? name;
      return Object.fromEntries(
        [...copiesIn(scopes.filter((scope): scope is ShareScope => scope !== undefined))].map(([name, copies]) => [
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

function toCodedError(error: unknown, release: VerifiedRelease, expose: string): ModmeshError {
  if (isModmeshError(error)) return error as ModmeshError;
  const message = error instanceof Error ? error.message : String(error);
  const subject = { remote: release.name, version: release.version, cause: error };
  if (/does not exist in container/.test(message)) {
    const available = release.container.exposes.map((item) => item.name).join(', ');
    return new ModmeshError(
      'MODMESH_EXPOSE_NOT_FOUND',
      `${release.name}@${release.version} does not expose ${expose} (it exposes ${available || 'nothing'})`,
      subject,
    );
  }
  if (/RUNTIME-00[56]|[Ss]ingleton|requiredVersion|strictVersion|[Vv]ersion.*(satisf|mismatch)/.test(message)) {
    return new ModmeshError('MODMESH_SHARED_VERSION_CONFLICT', `${release.name}@${release.version}: ${message}`, subject);
  }
  return new ModmeshError('MODMESH_REMOTE_EVALUATION_FAILED', `${release.name}@${release.version} (${path.posix.join(release.entry)}): ${message}`, subject);
}
