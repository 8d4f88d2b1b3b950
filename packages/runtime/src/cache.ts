import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isOlderState, type StateStore, type VerifiedState } from '@modmesh/host-core';

export interface ReleaseCache {
  readonly dir: string;
  /** A cached file's bytes, only if they still have this size and SHA-256; a damaged copy is deleted. */
  readBlob(sha256: string, size: number): Promise<Buffer | undefined>;
  writeBlob(sha256: string, bytes: Buffer): Promise<void>;
  /** The signed release as the registry served it (verified again whenever it is read). */
  readRelease(name: string, version: string): Promise<unknown | undefined>;
  writeRelease(name: string, version: string, signed: unknown): Promise<void>;
  /**
   * The highest state verified for each remote spec (the release to boot from when the registry
   * is down, and the tag's move counter no restart goes below: invariant 9); never lowered.
   */
  readonly states: StateStore;
}

/**
 * A content-addressed cache of verified release files on disk. Every write is atomic
 * (temporary file, fsync, rename) and every read re-checks the hash: a damaged or altered file
 * is never returned, only fetched again.
 */
export function createReleaseCache(dir: string): ReleaseCache {
  const root = path.resolve(dir);
  const blobPath = (sha256: string) => path.join(root, 'blobs', sha256.slice(0, 2), sha256);
  const releasePath = (name: string, version: string) => path.join(root, 'releases', name, `${version}.json`);
  const statePath = (name: string, spec: string) => path.join(root, 'state', `${name}@${encodeURIComponent(spec)}.json`);
  const readState = async (name: string, spec: string): Promise<VerifiedState | undefined> => {
    const bytes = await readIfExists(statePath(name, spec));
    return bytes && (parseJson(bytes) as VerifiedState | undefined);
  };

  return {
    dir: root,
    async readBlob(sha256, size) {
      const bytes = await readIfExists(blobPath(sha256));
      if (!bytes) return undefined;
      if (bytes.length === size && createHash('sha256').update(bytes).digest('hex') === sha256) return bytes;
      await rm(blobPath(sha256), { force: true });
      return undefined;
    },
    writeBlob: (sha256, bytes) => writeAtomic(blobPath(sha256), bytes),
    async readRelease(name, version) {
      const bytes = await readIfExists(releasePath(name, version));
      return bytes && parseJson(bytes);
    },
    writeRelease: (name, version, signed) => writeAtomic(releasePath(name, version), Buffer.from(JSON.stringify(signed))),
    states: {
      read: readState,
      async write(state) {
        const stored = await readState(state.name, state.spec);
        if (stored && isOlderState(state, stored)) return false;
        await writeAtomic(statePath(state.name, state.spec), Buffer.from(JSON.stringify(state)));
        return true;
      },
    },
  };
}

// --- internal ---

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Writes `file` atomically: a temporary file, fsync, rename. */
export async function writeAtomic(file: string, bytes: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
