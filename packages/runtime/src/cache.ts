import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isOlderState, type StateStore, type VerifiedState } from '@modmesh/host-core';

export interface ReleaseCache {
  readonly dir: string;
  /** A cached file's bytes, only if they still have this size and SHA-256; a damaged copy is deleted. */
  readBlob(sha256: string, size: number): Promise<Buffer | undefined>;
  writeBlob(sha256: string, bytes: Buffer): Promise<void>;
  /** Keeps a verified file: written in the background (the host runs it from memory meanwhile); `states.write` waits for it. */
  keepBlob(sha256: string, bytes: Buffer): void;
  /** The signed release as the registry served it (verified again whenever it is read). */
  readRelease(name: string, version: string): Promise<unknown | undefined>;
  /** Keeps the signed release, in the background like keepBlob; nothing is written when the same one is kept already. */
  keepRelease(name: string, version: string, signed: unknown): void;
  /** Waits for every write in the background; rejects with the first that failed since the last flush. */
  flush(): Promise<void>;
  /**
   * The highest state verified for each remote spec (the release to boot from when the registry
   * is down, and the tag's move counter no restart goes below: invariant 9); never lowered, and
   * written only once the files of the release are (a state never names what is not on disk).
   */
  readonly states: StateStore;
}

/**
 * A content-addressed cache of verified release files on disk. Every write is atomic
 * (temporary file, fsync, rename) and every read re-checks the hash: a damaged or altered file
 * is never returned, only fetched again. Files and releases are written in the background, off
 * the way from fetching a release to running it (an fsync is milliseconds on most disks).
 */
export function createReleaseCache(dir: string): ReleaseCache {
  const root = path.resolve(dir);
  const background = createBackgroundWrites();
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
    keepBlob(sha256, bytes) {
      background.add(writeAtomic(blobPath(sha256), bytes));
    },
    async readRelease(name, version) {
      const bytes = await readIfExists(releasePath(name, version));
      return bytes && parseJson(bytes);
    },
    keepRelease(name, version, signed) {
      const file = releasePath(name, version);
      const bytes = Buffer.from(JSON.stringify(signed));
      background.add(readIfExists(file).then((kept) => (kept?.equals(bytes) ? undefined : writeAtomic(file, bytes))));
    },
    flush: () => background.flush(),
    states: {
      read: readState,
      async write(state) {
        await background.flush();
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

// Writes in flight, and the first failure among them until someone is told of it (flush).
function createBackgroundWrites(): { add(write: Promise<unknown>): void; flush(): Promise<void> } {
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  return {
    add(write) {
      const tracked: Promise<void> = write.then(
        () => undefined,
        (error: unknown) => {
          failure ??= error;
        },
      );
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
    },
    async flush() {
      while (pending.size > 0) await Promise.all(pending);
      if (failure === undefined) return;
      const error = failure;
      failure = undefined;
      throw error;
    },
  };
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
