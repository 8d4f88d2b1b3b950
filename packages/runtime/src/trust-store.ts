import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { TrustStore } from '@modmesh/host-core';
import type { ReleaseCache } from './cache.js';
import { writeAtomic } from './cache.js';

/**
 * What a Node host verified of the registry's TUF metadata, on disk below `cacheDir/trust/`:
 * the root chain (`roots/0.json` the configured root, then each accepted rotation in order), the trusted set of one
 * snapshot (`set.json`), and release documents in the content-addressed cache. Every write is
 * atomic; nothing here is trusted when read: the host verifies it all again at boot.
 */
export function createNodeTrustStore(cache: ReleaseCache): TrustStore {
  const dir = path.join(cache.dir, 'trust');
  const rootsDir = path.join(dir, 'roots');
  const setFile = path.join(dir, 'set.json');

  return {
    async readRoots() {
      const names = await readdir(rootsDir).catch(() => [] as string[]);
      const indexes = names
        .map((name) => /^(\d+)\.json$/.exec(name)?.[1])
        .filter((version): version is string => version !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      return Promise.all(indexes.map(async (index) => new Uint8Array(await readFile(path.join(rootsDir, `${index}.json`)))));
    },
    async writeRoots(chain) {
      // Each file atomically, then what lies beyond the chain goes: a crash in between leaves a
      // chain that boot verifies again step by step (and cuts where it stops verifying).
      await mkdir(rootsDir, { recursive: true });
      for (const [index, bytes] of chain.entries()) await writeAtomic(path.join(rootsDir, `${index}.json`), Buffer.from(bytes));
      for (const name of await readdir(rootsDir)) {
        const index = /^(\d+)\.json$/.exec(name)?.[1];
        if (index === undefined || Number(index) >= chain.length) await rm(path.join(rootsDir, name), { force: true });
      }
    },
    async readSet() {
      const text = await readFile(setFile, 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    },
    writeSet: (set) => writeAtomic(setFile, Buffer.from(JSON.stringify(set))),
    readTarget: (sha256, length) => cache.readBlob(sha256, length),
    writeTarget: (sha256, bytes) => cache.writeBlob(sha256, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  };
}
