import { createFederation, type Federation, type Installing, type LoadedContainer, type SharedPackage } from '@modmesh/host-core';
import { ModmeshError } from '@modmesh/manifest';
import type { VerifiedRelease } from './acquire.js';
import type { CodeCache } from './code-cache.js';
import { evaluateContainer } from './evaluate.js';
import { evaluateWithOwnInstance, instanceNamed } from './instances.js';

/**
 * The federation runtime of a Node host (@modmesh/host-core's), whose containers come from
 * verified bytes in memory (see loadNodeContainer).
 */
export function createNodeFederation(options: {
  hostName: string;
  hostId: string;
  shared: Record<string, SharedPackage>;
  codeCache?: CodeCache;
}): Federation<VerifiedRelease> {
  const { codeCache, ...federation } = options;
  return createFederation<VerifiedRelease>({ ...federation, loadContainer: (installing) => loadNodeContainer(installing, codeCache) });
}

/**
 * A release's container on Node: its entry evaluated with a `require` whose `fs` answers only
 * from the release's checked files (evaluate.ts), against an empty list of federation
 * instances, so the instance its bundled runtime makes is its own and known by the host's name
 * for it (instances.ts).
 */
export function loadNodeContainer({ runtimeName, release, evaluated }: Installing<VerifiedRelease>, codeCache?: CodeCache): LoadedContainer {
  const { result, created } = evaluateWithOwnInstance(runtimeName, () =>
    evaluateContainer({
      remote: release.name,
      version: release.version,
      root: release.root,
      entry: release.entry,
      files: release.files,
      declaredName: release.container.name,
      onEvaluate: (file) => evaluated.push(file),
      codeCache,
      digests: digestsOf(release),
    }),
  );
  // Every stock build makes its instance while its entry runs (and it is its own). One that did
  // not, and whose build claims the name of an instance already there, would join that
  // instance when initialised: refused rather than merged.
  const claimed = release.container.name;
  if (created === 0 && instanceNamed(claimed)) {
    throw new ModmeshError(
      'MODMESH_CONTAINER_NAME_CLASH',
      `${release.name}@${release.version}: its container is named ${claimed}, like a Module Federation instance already in this process, and made no instance of its own when its entry ran; it was not used`,
      { remote: release.name, version: release.version, file: release.entry },
    );
  }
  return { container: result, ownInstance: created > 0 };
}

// --- internal ---

// The signed SHA-256 of each file of the container, by its path relative to the container.
function digestsOf(release: VerifiedRelease): Map<string, string> {
  const prefix = release.container.entry.slice(0, release.container.entry.length - release.entry.length);
  return new Map(release.manifest.files.filter((file) => file.path.startsWith(prefix)).map((file) => [file.path.slice(prefix.length), file.sha256]));
}
