import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './token-buckets.js';

describe('createRateLimiter', () => {
  it('lets a burst of `capacity` through, then says how long until the next one', () => {
    let now = 0;
    const limiter = createRateLimiter({ capacity: 3, perSecond: 0.5, maxKeys: 10, now: () => now });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(2);
    expect(limiter.take('b')).toBe(0);
    now = 1;
    expect(limiter.wait('a')).toBe(1);
    now = 2;
    expect([limiter.take('a'), limiter.take('a')]).toEqual([0, 2]);
  });

  it('refills up to its capacity and no further', () => {
    let now = 0;
    const limiter = createRateLimiter({ capacity: 2, perSecond: 1, maxKeys: 10, now: () => now });
    limiter.take('a');
    limiter.take('a');
    now = 1000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a') > 0]).toEqual([0, 0, true]);
  });

  it('keeps at most maxKeys buckets, dropping the least recently used, and looking makes none', () => {
    const limiter = createRateLimiter({ capacity: 1, perSecond: 0.001, maxKeys: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c');
    expect(limiter.size()).toBe(2);
    expect(limiter.wait('a')).toBeGreaterThan(0);
    expect(limiter.wait('b')).toBe(0);
    expect(limiter.wait('nobody')).toBe(0);
    for (let index = 0; index < 1000; index++) limiter.take(`spray-${index}`);
    expect(limiter.size()).toBe(2);
  });
});
