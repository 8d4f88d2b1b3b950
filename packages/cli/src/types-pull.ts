import type { KeyObject } from 'node:crypto';
import type { RegistryClient } from '@modmesh/api';
import type { Declarations } from '@modmesh/contract';
import type { RemoteSpec } from '@modmesh/host-core';
import { type FileEntry, isModmeshError, ModmeshError, type ReleaseManifest, verifyRelease } from '@modmesh/manifest';
import type { ReleaseCache } from '@modmesh/runtime';
import { typesFilesOf } from './contract-gate.js';
import { verifiedBlob } from './verified-blob.js';

/** What `modmesh types pull` got for one remote: the release its spec resolves to and that release's declarations, verified. */
export interface PulledTypes {
  name: string;
  version: string;
  declarations: Declarations;
  /** Where the release came from: the registry, or the host's verified cache (offline, or the registry unreachable). */
  source: 'registry' | 'cache';
}

export interface PullContext {
  /** Undefined offline. */
  client: RegistryClient | undefined;
  cache: ReleaseCache;
  /** The publisher keys trusted for the remote, by key id (as a host trusts them). */
  trusted: ReadonlyMap<string, KeyObject>;
  target: 'node' | 'web';
  note(text: string): void;
}

/** Which release a spec resolves to now, and its signed manifest (not yet verified). */
export interface ResolvedRelease {
  version: string;
  signed: unknown;
  /** Where the answer came from: the registry, or the verified cache (offline, or the registry unreachable). */
  source: 'registry' | 'cache';
}

/**
 * The release `remote` resolves to, as a host following it would run it: the registry's answer,
 * or offline (or with the registry unreachable) the host's verified cache: the state a host
 * recorded for the spec, else `known` (the release the last pull wrote), for an exact version
 * that version.
 */
export async function resolveRelease(remote: RemoteSpec, context: Pick<PullContext, 'client' | 'cache' | 'note'>, known?: string): Promise<ResolvedRelease> {
  return (context.client && (await resolveOnline(remote, context.client, context.note))) ?? (await resolveCached(remote, context.cache, known));
}

/**
 * The declarations of a resolved release: its signed manifest verified with the keys the host
 * trusts, and the declaration files of the target's container checked against the manifest's
 * SHA-256, whether they come from the network or the cache. What is fetched is cached for next time.
 */
export async function pullTypes(remote: RemoteSpec, resolved: ResolvedRelease, context: PullContext): Promise<PulledTypes> {
  const manifest = verifyRelease(resolved.signed, { trusted: context.trusted, expect: { name: remote.name, version: resolved.version } });
  const container = manifest.containers.find((each) => each.target === context.target);
  const files = container && typesFilesOf(manifest, container);
  if (!files) {
    throw new ModmeshError(
      'MODMESH_NOT_FOUND',
      `${remote.name}@${manifest.version} carries no declarations for a ${context.target} host${container ? '' : ` (it has no ${context.target} container)`}`,
      {
        remote: remote.name,
        version: manifest.version,
        hint: `Build the remote with \`modmesh build\` (types are on by default) and publish it; or pull for the other target (--target ${context.target === 'node' ? 'web' : 'node'}).`,
      },
    );
  }
  const read = (file: FileEntry) => fileText(file, manifest, context, resolved.source === 'registry');
  if (resolved.source === 'registry') {
    // Kept for an offline pull later; written before going on (the cache writes in the background).
    context.cache.keepRelease(remote.name, manifest.version, resolved.signed);
    await context.cache.flush();
  }
  const { readDeclarations } = await import('@modmesh/contract');
  const declarations = readDeclarations(await read(files.index), await read(files.text), `${remote.name}@${manifest.version} (${context.target})`);
  return { name: remote.name, version: manifest.version, declarations, source: resolved.source };
}

// --- internal ---

// Failures that mean the registry cannot be asked now (as opposed to an answer refusing something).
const OFFLINE_CODES = new Set(['MODMESH_REMOTE_UNREACHABLE', 'MODMESH_REMOTE_TIMEOUT']);

async function resolveOnline(remote: RemoteSpec, client: RegistryClient, note: (text: string) => void): Promise<ResolvedRelease | undefined> {
  try {
    const answer = await client.resolve(remote.name, remote.spec);
    return { version: answer.version, signed: answer.release, source: 'registry' };
  } catch (error) {
    if (!isModmeshError(error) || !OFFLINE_CODES.has(error.code)) throw error;
    note(`${remote.name}: the registry cannot be reached (${error.code}); reading the verified cache`);
    return undefined;
  }
}

async function resolveCached(remote: RemoteSpec, cache: ReleaseCache, known: string | undefined): Promise<ResolvedRelease> {
  const version = remote.kind === 'version' ? remote.spec : ((await cache.states.read(remote.name, remote.spec))?.version ?? known);
  const signed = version === undefined ? undefined : await cache.readRelease(remote.name, version);
  if (version === undefined || signed === undefined) {
    throw new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', `${remote.name}@${remote.spec}: nothing in the cache ${cache.dir} says which release that is`, {
      remote: remote.name,
      hint: 'Pull once while the registry is reachable, or point --cache at the cache of a host that runs the remote (MODMESH_CACHE_DIR).',
    });
  }
  return { version, signed, source: 'cache' };
}

async function fileText(file: FileEntry, manifest: ReleaseManifest, context: PullContext, online: boolean): Promise<string> {
  const cached = await context.cache.readBlob(file.sha256, file.size);
  if (cached) return cached.toString('utf8');
  if (!online || !context.client) {
    throw new ModmeshError('MODMESH_CACHE_INCOMPLETE', `${manifest.name}@${manifest.version}: ${file.path} is not in the cache ${context.cache.dir}`, {
      remote: manifest.name,
      version: manifest.version,
      file: file.path,
      hint: 'Pull once while the registry is reachable: what a pull fetches is kept in the cache.',
    });
  }
  const bytes = await verifiedBlob(context.client, manifest.name, manifest.version, file);
  await context.cache.writeBlob(file.sha256, bytes);
  return bytes.toString('utf8');
}
