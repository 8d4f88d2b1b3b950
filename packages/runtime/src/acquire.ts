import { createHash, type KeyObject } from 'node:crypto';
import path from 'node:path';
import type { RegistryClient } from '@modmesh/api';
import type { CoreRelease, Offer } from '@modmesh/host-core';
import { type ContainerInfo, type FileEntry, isModmeshError, ModmeshError, type ReleaseManifest, verifyRelease } from '@modmesh/manifest';
import type { ReleaseCache } from './cache.js';

/** A release whose signature and every byte were checked: the only thing a Node host evaluates. */
export interface VerifiedRelease extends CoreRelease {
  /** The container's files by path relative to `root`, each matching its signed size and hash. */
  files: Map<string, Buffer>;
  /** Where the container believes it lives (inside the cache; nothing is read from there). */
  root: string;
  /** The entry, relative to `root`. */
  entry: string;
}

export interface AcquireContext {
  client: Pick<RegistryClient, 'blob'>;
  cache: ReleaseCache;
  /** Public keys trusted for this remote, by key id. */
  trusted: ReadonlyMap<string, KeyObject>;
  /** Files fetched at once. */
  concurrency?: number;
}

/**
 * The release an offer names, only once its manifest is signed by a trusted key (checked here
 * against the per-remote keys, or already by the trust of a host with a root) and every file it
 * needs has the signed size and SHA-256. Files already in the cache (re-hashed on read) are not
 * fetched again; new ones are cached (in the background: the release runs from memory).
 */
export async function acquireFromRegistry(context: AcquireContext, name: string, answer: Offer): Promise<VerifiedRelease> {
  const manifest = answer.manifest ?? verifyRelease(answer.release, { trusted: context.trusted, expect: { name, version: answer.version } });
  const { container, needed, root } = layout(manifest, context.cache.dir);
  const files = new Map<string, Buffer>();
  await forEachLimited(needed, context.concurrency ?? 6, async (file) => {
    const bytes = (await context.cache.readBlob(file.sha256, file.size)) ?? (await download(context, manifest, file));
    files.set(relativeTo(root.container, file.path), bytes);
  });
  // Kept for a restart with the registry down (a host with a root keeps its release documents in the trust store).
  if (answer.release) context.cache.keepRelease(name, manifest.version, answer.release);
  const tag = answer.tag && { name: answer.tag.name, seq: answer.tag.seq, kind: answer.tag.kind, ...(answer.tag.signed && { signed: true }) };
  return verified(manifest, container, files, root, 'registry', tag);
}

/**
 * The release a host ran last for `name@spec`, from disk only: the signed manifest is verified
 * against today's trusted keys and every file re-hashed. Undefined when nothing usable is cached.
 */
export async function acquireFromCache(context: AcquireContext, name: string, spec: string): Promise<VerifiedRelease | undefined> {
  const state = await context.cache.states.read(name, spec);
  if (!state) return undefined;
  const signed = await context.cache.readRelease(name, state.version);
  if (!signed) return undefined;
  const manifest = verifyRelease(signed, { trusted: context.trusted, expect: { name, version: state.version } });
  const { container, needed, root } = layout(manifest, context.cache.dir);
  const files = new Map<string, Buffer>();
  for (const file of needed) {
    const bytes = await context.cache.readBlob(file.sha256, file.size);
    if (!bytes) {
      throw new ModmeshError('MODMESH_CACHE_INCOMPLETE', `${name}@${state.version}: cached ${file.path} is missing or damaged`, {
        remote: name,
        version: state.version,
        file: file.path,
      });
    }
    files.set(relativeTo(root.container, file.path), bytes);
  }
  return verified(manifest, container, files, root, 'cache', state.seq === undefined ? undefined : { name: spec, seq: state.seq, kind: state.kind ?? 'move' });
}

// --- internal ---

function verified(
  manifest: ReleaseManifest,
  container: ContainerInfo,
  files: Map<string, Buffer>,
  root: { container: string; path: string },
  source: VerifiedRelease['source'],
  tag: VerifiedRelease['tag'],
): VerifiedRelease {
  const release: VerifiedRelease = {
    name: manifest.name,
    version: manifest.version,
    manifest,
    container,
    files,
    root: root.path,
    entry: relativeTo(root.container, container.entry),
    source,
  };
  if (tag) release.tag = tag;
  return release;
}

// Source maps are for debugging, fetched when someone needs them, never evaluated.
const NOT_LOADED = /\.map$/;

function layout(manifest: ReleaseManifest, cacheDir: string) {
  const container = manifest.containers.find((candidate) => candidate.target === 'node');
  if (!container) {
    throw new ModmeshError(
      'MODMESH_MANIFEST_INVALID',
      `${manifest.name}@${manifest.version} has no container for Node hosts (only ${manifest.containers.map((c) => c.target).join(', ')})`,
      {
        remote: manifest.name,
        version: manifest.version,
      },
    );
  }
  const containerDir = path.posix.dirname(container.entry);
  const prefix = containerDir === '.' ? '' : `${containerDir}/`;
  // A release holding several containers keeps each in its own directory; a Node host needs only its own.
  const needed = manifest.files.filter((file) => file.path.startsWith(prefix) && !NOT_LOADED.test(file.path));
  return { container, needed, root: { container: prefix, path: path.join(cacheDir, 'releases', manifest.name, manifest.version, containerDir) } };
}

function relativeTo(prefix: string, file: string): string {
  return file.slice(prefix.length);
}

async function download(context: AcquireContext, manifest: ReleaseManifest, file: FileEntry): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const received = await context.client.blob(file.sha256, file.size, manifest.name);
    bytes = Buffer.from(received.buffer, received.byteOffset, received.byteLength);
  } catch (error) {
    if (isModmeshError(error) && error.code === 'MODMESH_REMOTE_TOO_LARGE') throw mismatch(manifest, file, 'is larger than the manifest says');
    throw error;
  }
  if (bytes.length !== file.size || createHash('sha256').update(bytes).digest('hex') !== file.sha256) {
    throw mismatch(manifest, file, 'does not match the SHA-256 in the signed manifest');
  }
  context.cache.keepBlob(file.sha256, bytes);
  return bytes;
}

function mismatch(manifest: ReleaseManifest, file: FileEntry, why: string): ModmeshError {
  return new ModmeshError(
    'MODMESH_HASH_MISMATCH',
    `${manifest.name}@${manifest.version}: ${file.path} as served ${why}; nothing of this release was evaluated`,
    {
      remote: manifest.name,
      version: manifest.version,
      file: file.path,
    },
  );
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}
