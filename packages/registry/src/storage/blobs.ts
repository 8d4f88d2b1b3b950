import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModmeshError } from '@modmesh/manifest';
import type { BlobStore } from './types.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Blobs as files under `dir`: `sha256/ab/abcdef...`. A blob appears at its final path only
 * complete, synced and matching its hash (temporary file, fsync, rename, fsync of the
 * directory), so a crash at any point leaves either the whole blob or none of it.
 */
export async function createFileBlobStore(dir: string): Promise<BlobStore> {
  const root = path.resolve(dir);
  const tmp = path.join(root, 'tmp');
  await mkdir(tmp, { recursive: true });
  // Left by a write that a crash interrupted; never visible as a blob.
  await Promise.all((await readdir(tmp)).map((file) => rm(path.join(tmp, file), { force: true })));

  const pathOf = (sha256: string): string => {
    if (!SHA256_HEX.test(sha256)) throw new ModmeshError('MODMESH_BAD_REQUEST', `"${sha256}" is not a SHA-256 (64 lowercase hex digits)`);
    return path.join(root, 'sha256', sha256.slice(0, 2), sha256);
  };
  const size = async (sha256: string): Promise<number | undefined> => {
    try {
      return (await stat(pathOf(sha256))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  return {
    async has(sha256) {
      return (await size(sha256)) !== undefined;
    },
    size,
    async put(sha256, body, { maxBytes }) {
      const final = pathOf(sha256);
      const temp = path.join(tmp, `${sha256.slice(0, 12)}-${randomBytes(6).toString('hex')}`);
      const hash = createHash('sha256');
      let received = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          if (received > maxBytes)
            return callback(new ModmeshError('MODMESH_BODY_TOO_LARGE', `blob ${sha256}: over the ${maxBytes}-byte limit`, { file: sha256 }));
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      try {
        await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, meter, createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
        const actual = hash.digest('hex');
        if (actual !== sha256) {
          throw new ModmeshError('MODMESH_HASH_MISMATCH', `blob uploaded as ${sha256} has SHA-256 ${actual}`, { file: sha256 });
        }
        if ((await size(sha256)) !== undefined) return { size: received, created: false };
        await fsync(temp);
        await mkdir(path.dirname(final), { recursive: true });
        await rename(temp, final);
        await fsync(path.dirname(final));
        return { size: received, created: true };
      } finally {
        await rm(temp, { force: true });
      }
    },
    async open(sha256) {
      if ((await size(sha256)) === undefined) return undefined;
      return createReadStream(pathOf(sha256));
    },
    async *list() {
      const shards = await readdir(path.join(root, 'sha256')).catch(() => [] as string[]);
      for (const shard of shards) {
        for (const file of await readdir(path.join(root, 'sha256', shard))) if (SHA256_HEX.test(file)) yield file;
      }
    },
  };
}

// --- internal ---

async function fsync(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
