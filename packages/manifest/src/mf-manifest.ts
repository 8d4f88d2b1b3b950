import { ModmeshError } from './errors.js';
import type { ContainerInfo } from './schema.js';

interface MfAssets {
  js?: { sync?: unknown; async?: unknown };
}

interface MfManifest {
  metaData?: { name?: unknown; remoteEntry?: { name?: unknown; path?: unknown } };
  exposes?: { path?: unknown; assets?: MfAssets }[];
  shared?: { name?: unknown; version?: unknown; requiredVersion?: unknown; singleton?: unknown; assets?: MfAssets }[];
}

/**
 * The release manifest's view of a container, read from the `mf-manifest.json` that
 * `@module-federation/enhanced` (webpack or rspack, `manifest: true`) writes beside it.
 * `prefix` is the container's directory inside the release ("" or e.g. "web").
 */
export function containersFromMfManifest(input: unknown, target: ContainerInfo['target'], prefix = ''): ContainerInfo {
  const mf = input as MfManifest | null;
  const invalid = (why: string): ModmeshError =>
    new ModmeshError('MODMESH_REMOTE_MANIFEST_INVALID', `mf-manifest.json ${why}`, {
      hint: 'Build the remote with @module-federation/enhanced and `manifest: true`, and publish the build directory that holds it.',
    });
  const name = mf?.metaData?.name;
  const entryName = mf?.metaData?.remoteEntry?.name;
  const entryPath = mf?.metaData?.remoteEntry?.path ?? '';
  if (typeof name !== 'string' || typeof entryName !== 'string' || typeof entryPath !== 'string')
    throw invalid('has no metaData.name and metaData.remoteEntry');

  const inRelease = (file: string): string =>
    [prefix, entryPath, file]
      .filter(Boolean)
      .join('/')
      .replace(/\/{2,}/g, '/');
  const assetFiles = (assets: MfAssets | undefined): string[] =>
    [assets?.js?.sync, assets?.js?.async].flatMap((list) => {
      if (list === undefined) return [];
      if (!Array.isArray(list) || !list.every((file) => typeof file === 'string')) throw invalid('lists assets that are not file names');
      return (list as string[]).map(inRelease);
    });

  return {
    target,
    name,
    entry: inRelease(entryName),
    exposes: (mf?.exposes ?? []).map((expose) => {
      if (typeof expose?.path !== 'string') throw invalid('has an expose without a path');
      return { name: expose.path, files: assetFiles(expose.assets) };
    }),
    shared: (mf?.shared ?? []).map((shared) => {
      if (typeof shared?.name !== 'string' || typeof shared.version !== 'string') throw invalid('has a shared entry without a name and version');
      return {
        name: shared.name,
        version: shared.version,
        singleton: shared.singleton === true,
        ...(typeof shared.requiredVersion === 'string' || shared.requiredVersion === false ? { requiredVersion: shared.requiredVersion } : {}),
      };
    }),
  };
}
