// The BlobStore contract: every store of release files runs it from its own test file.
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { BlobStore } from '@modmesh/registry';
import { beforeEach, describe, expect, it } from 'vitest';
import { all, sha256Hex } from './records.js';

export interface BlobStoreUnderTest {
  blobs: BlobStore;
  /** The directory a file-based store keeps everything under; enables the checks on leftover files. */
  dir?: string;
  /** Creates the store again on the same storage, as a restart after a crash would. */
  reopen?: () => Promise<BlobStore>;
  cleanup: () => Promise<void>;
}

/**
 * Runs the BlobStore contract against a backend; `create` is called once per test.
 *
 * @example
 * describeBlobStoreContract('file', async () => {
 *   const dir = await mkdtemp(path.join(os.tmpdir(), 'blobs-'));
 *   return { blobs: await createFileBlobStore(dir), dir, reopen: () => createFileBlobStore(dir), cleanup: () => rm(dir, { recursive: true }) };
 * });
 */
export function describeBlobStoreContract(backend: string, create: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore contract: ${backend}`, () => {
    let blobs: BlobStore;
    let dir: string | undefined;
    let reopen: (() => Promise<BlobStore>) | undefined;
    beforeEach(async () => {
      const created = await create();
      ({ blobs, dir, reopen } = created);
      return created.cleanup;
    });

    /** Nothing was stored: not under the hash, not listed, and no file left behind. */
    async function expectEmpty(): Promise<void> {
      expect(await all(blobs.list())).toEqual([]);
      if (dir) expect(await filesUnder(dir)).toEqual([]);
    }

    it('stores bytes whose SHA-256 matches and reads back exactly those bytes', async () => {
      const body = Buffer.concat([Buffer.from('module.exports = "é";\n'), Buffer.from([0, 255, 13, 10])]);
      const sha = sha256Hex(body);

      expect(await blobs.put(sha, body, { maxBytes: body.length })).toEqual({ size: body.length, created: true });

      expect(await blobs.has(sha)).toBe(true);
      expect(await blobs.size(sha)).toBe(body.length);
      const stream = await blobs.open(sha);
      expect(stream && (await buffer(stream))).toEqual(body);
    });

    it('answers undefined or false for a blob it does not have', async () => {
      const sha = sha256Hex('absent');

      expect(await blobs.open(sha)).toBeUndefined();
      expect(await blobs.size(sha)).toBeUndefined();
      expect(await blobs.has(sha)).toBe(false);
    });

    it('stores a body that arrives as a stream', async () => {
      const chunks = [Buffer.from('first chunk;'), Buffer.alloc(64 * 1024, 'x'), Buffer.from('last chunk')];
      const body = Buffer.concat(chunks);
      const sha = sha256Hex(body);

      expect(await blobs.put(sha, Readable.from(chunks), { maxBytes: MAX_BYTES })).toEqual({ size: body.length, created: true });

      const stream = await blobs.open(sha);
      expect(stream && (await buffer(stream))).toEqual(body);
    });

    it('refuses bytes that do not match the hash with MODMESH_HASH_MISMATCH and stores nothing', async () => {
      const claimed = sha256Hex('the real chunk');

      await expect(blobs.put(claimed, Buffer.from('a substituted chunk'), { maxBytes: MAX_BYTES })).rejects.toMatchObject({ code: 'MODMESH_HASH_MISMATCH' });

      expect(await blobs.has(claimed)).toBe(false);
      expect(await blobs.has(sha256Hex('a substituted chunk'))).toBe(false);
      await expectEmpty();
    });

    it('refuses a body over maxBytes with MODMESH_BODY_TOO_LARGE and stores nothing', async () => {
      const chunks = [Buffer.alloc(600, 'a'), Buffer.alloc(600, 'b')];
      const sha = sha256Hex(Buffer.concat(chunks));

      await expect(blobs.put(sha, Readable.from(chunks), { maxBytes: 1000 })).rejects.toMatchObject({ code: 'MODMESH_BODY_TOO_LARGE' });
      await expect(blobs.put(sha, Buffer.concat(chunks), { maxBytes: 1199 })).rejects.toMatchObject({ code: 'MODMESH_BODY_TOO_LARGE' });

      expect(await blobs.has(sha)).toBe(false);
      await expectEmpty();
    });

    it('returns created: false when the same blob is put again', async () => {
      const body = Buffer.from('export default 1;\n');
      const sha = sha256Hex(body);

      expect(await blobs.put(sha, body, { maxBytes: MAX_BYTES })).toEqual({ size: body.length, created: true });
      expect(await blobs.put(sha, body, { maxBytes: MAX_BYTES })).toEqual({ size: body.length, created: false });

      expect(await all(blobs.list())).toEqual([sha]);
    });

    it('refuses a hash that is not 64 lowercase hex digits with MODMESH_BAD_REQUEST', async () => {
      const body = Buffer.from('x');
      for (const sha of MALFORMED_HASHES) {
        await expect(blobs.put(sha, body, { maxBytes: MAX_BYTES }), sha).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
        await expect(blobs.has(sha), sha).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
        await expect(blobs.size(sha), sha).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
        await expect(blobs.open(sha), sha).rejects.toMatchObject({ code: 'MODMESH_BAD_REQUEST' });
      }
      await expectEmpty();
    });

    it('lists every stored hash', async () => {
      const shas: string[] = [];
      for (const text of ['one', 'two', 'three', 'four']) {
        shas.push(sha256Hex(text));
        await blobs.put(sha256Hex(text), Buffer.from(text), { maxBytes: MAX_BYTES });
      }

      expect((await all(blobs.list())).sort()).toEqual(shas.sort());
    });

    it('removes what a crashed write left in tmp when created again on the same storage, and never lists it', async ({ skip }) => {
      if (!dir || !reopen) return skip('the backend keeps no files of its own');
      const kept = Buffer.from('a complete blob');
      await blobs.put(sha256Hex(kept), kept, { maxBytes: MAX_BYTES });
      // Named like a blob, so a store that looked into tmp would list it.
      const leftover = path.join(dir, 'tmp', sha256Hex('half-written'));
      await writeFile(leftover, 'half-wr');

      expect(await all(blobs.list())).toEqual([sha256Hex(kept)]);
      const restarted = await reopen();

      expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
      expect(await all(restarted.list())).toEqual([sha256Hex(kept)]);
      expect(await restarted.has(sha256Hex('half-written'))).toBe(false);
    });
  });
}

// --- internal ---

/** Far above every body in these tests, where the limit itself is not under test. */
const MAX_BYTES = 1024 * 1024;

const MALFORMED_HASHES = [
  '../../etc/passwd',
  `../${'a'.repeat(61)}`, // 64 characters, escaping the store
  'A'.repeat(64), // upper case
  'a'.repeat(63),
  'a'.repeat(65),
  '',
];

/** Every file (not directory) under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    if (!(await stat(path.join(dir, entry))).isDirectory()) files.push(entry);
  }
  return files;
}
