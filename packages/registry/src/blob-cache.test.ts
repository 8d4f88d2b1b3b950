import { describe, expect, it } from 'vitest';
import { createBlobCache } from './blob-cache.js';

const blob = (size: number, fill = 1) => ({ bytes: Buffer.alloc(size, fill), contentType: 'application/javascript' });

describe('createBlobCache', () => {
  it('keeps files within the budget, evicting the least recently used first', () => {
    const cache = createBlobCache(300, 200);
    cache.set('a', blob(100));
    cache.set('b', blob(100));
    expect(cache.get('a')).toBeDefined(); // a is now more recent than b
    cache.set('c', blob(150));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.bytes.length).toBe(100);
    expect(cache.get('c')?.bytes.length).toBe(150);
  });

  it('never keeps a file over the per-file limit, and keeps nothing with a zero budget', () => {
    const cache = createBlobCache(1000, 100);
    expect(cache.fits(101)).toBe(false);
    cache.set('big', blob(101));
    expect(cache.get('big')).toBeUndefined();
    expect(createBlobCache(0).fits(1)).toBe(false);
  });
});
