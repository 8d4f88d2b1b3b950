import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { writeAtomic } from './cache.js';

/** Where V8's compiled code of verified releases is kept across processes, and the secret that vouches for it. */
export interface CodeCacheOptions {
  /**
   * A secret of the hosts that share `dir`, never kept in it. Whoever knows it can make these
   * hosts run code no publisher signed, as whoever can change their own files can.
   */
  key: string | Uint8Array;
  /** @default `cacheDir/code` */
  dir?: string;
}

export interface CodeCache {
  /**
   * A script of exactly `source`, with V8's compiled code for it when a copy this host vouches for
   * is kept. `identity`, when given, names exactly these characters (a verified file's SHA-256 and
   * how it was wrapped): it saves hashing them.
   */
  script(source: string, filename: string, identity?: string): vm.Script;
  /** Keeps the compiled code of the scripts made without it (soon after they ran, and on close()). */
  close(): Promise<void>;
}

// How long after the last script was made its compiled code is kept: the code a script compiles
// lazily while it starts (the container's init, the first module) is then in the copy too.
const KEEP_AFTER_MS = 500;
// Compiled code kept in memory, for the scripts a process makes again (a rollback, a second host).
const MEMORY_ENTRIES = 32;
const FORMAT = 'modmesh-code-cache-v1';
const MAC_BYTES = 32;

/**
 * V8's compiled code of the scripts a host evaluates, so that the same verified bytes are not
 * compiled again: in memory, and on disk when a key is given. The source is always the verified
 * one; the compiled code is what V8 runs instead of compiling it, and V8 itself does not check
 * that it belongs to the source (only its length, version and flags): code kept on disk is used
 * only with a MAC under the key, over the SHA-256 of the exact characters it was made from.
 * Without a key nothing is read from disk. See the README, "Compiled code".
 */
export function createCodeCache(options?: CodeCacheOptions & { dir: string }): CodeCache {
  const memory = new Map<string, Buffer>();
  const fresh = new Map<string, vm.Script>();
  const writes = new Set<Promise<void>>();
  const key = options && createHash('sha256').update(options.key).digest();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const fileOf = (digest: string): string => path.join(options?.dir ?? '', `${digest}.${V8_TAG}.bin`);
  const macOf = (digest: string, data: Buffer): Buffer =>
    createHmac('sha256', key as Buffer)
      .update(`${FORMAT}\n${digest}\n${V8_TAG}\n`)
      .update(data)
      .digest();

  function kept(digest: string): Buffer | undefined {
    const inMemory = memory.get(digest);
    if (inMemory || !key) return inMemory;
    let stored: Buffer;
    try {
      stored = readFileSync(fileOf(digest));
    } catch {
      return undefined;
    }
    const data = stored.subarray(MAC_BYTES);
    const mac = stored.subarray(0, MAC_BYTES);
    return mac.length === MAC_BYTES && timingSafeEqual(mac, macOf(digest, data)) ? data : undefined;
  }

  function keepNow(): void {
    clearTimeout(timer);
    for (const [digest, script] of fresh) {
      fresh.delete(digest);
      const data = script.createCachedData();
      remember(digest, data);
      if (key) {
        const write = writeAtomic(fileOf(digest), Buffer.concat([macOf(digest, data), data])).catch(() => undefined);
        writes.add(write);
        void write.finally(() => writes.delete(write));
      }
    }
  }

  function remember(digest: string, data: Buffer): void {
    memory.delete(digest);
    memory.set(digest, data);
    if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value as string);
  }

  return {
    script(source, filename, identity) {
      // UTF-16 code units, exactly what V8 compiles (UTF-8 would merge strings that differ in lone surrogates).
      const digest =
        identity === undefined
          ? createHash('sha256').update(source, 'utf16le').digest('hex')
          : createHash('sha256').update(`identity\n${identity}`).digest('hex');
      const cachedData = kept(digest);
      const script = new vm.Script(source, { filename, ...(cachedData && { cachedData }) });
      if (cachedData && !script.cachedDataRejected) {
        remember(digest, cachedData);
        return script;
      }
      fresh.set(digest, script);
      clearTimeout(timer);
      timer = setTimeout(keepNow, KEEP_AFTER_MS);
      timer.unref();
      return script;
    },
    async close() {
      keepNow();
      await Promise.all(writes);
    },
  };
}

// --- internal ---

// Compiled code fits one V8 on one architecture; V8 refuses any other, this only avoids reading it.
const V8_TAG = createHash('sha256').update(`${process.versions.v8}\n${process.arch}`).digest('hex').slice(0, 12);
