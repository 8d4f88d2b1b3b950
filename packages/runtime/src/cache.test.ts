import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReleaseCache } from './cache.js';

const bytes = Buffer.from('exports.greet = () => "hello";');
const sha256 = createHash('sha256').update(bytes).digest('hex');
const state = { name: 'demo', spec: 'stable', version: '1.0.0', seq: 1, kind: 'move' as const, verifiedAt: '' };

describe('the release cache', () => {
  it('writes a verified state only once the files kept before it are on disk', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-cache-'));
    const cache = createReleaseCache(dir);
    cache.keepBlob(sha256, bytes);
    cache.keepRelease('demo', '1.0.0', { manifest: { name: 'demo' } });
    expect(await cache.states.write(state)).toBe(true);
    expect(await cache.readBlob(sha256, bytes.length)).toEqual(bytes);
    expect(await cache.readRelease('demo', '1.0.0')).toEqual({ manifest: { name: 'demo' } });
    expect(await cache.states.read('demo', 'stable')).toMatchObject({ version: '1.0.0', seq: 1 });
  });

  it('writes no state when a file could not be kept, and says why', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-cache-'));
    // A file where the blob's directory goes: the write fails.
    mkdirSync(path.join(dir, 'blobs'), { recursive: true });
    writeFileSync(path.join(dir, 'blobs', sha256.slice(0, 2)), 'in the way');
    const cache = createReleaseCache(dir);
    cache.keepBlob(sha256, bytes);
    await expect(cache.states.write(state)).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(existsSync(path.join(dir, 'state'))).toBe(false);
    // Told once: what is written after it is written.
    await expect(cache.flush()).resolves.toBeUndefined();
  });

  it('leaves a kept release untouched when the same one is kept again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-cache-'));
    const cache = createReleaseCache(dir);
    cache.keepRelease('demo', '1.0.0', { manifest: { name: 'demo' } });
    await cache.flush();
    const file = path.join(dir, 'releases', 'demo', '1.0.0.json');
    const before = statSync(file).ino;
    cache.keepRelease('demo', '1.0.0', { manifest: { name: 'demo' } });
    await cache.flush();
    expect(statSync(file).ino).toBe(before);
  });
});
