import { ModmeshError } from '@modmesh/manifest/web';
import { describe, expect, it } from 'vitest';
import { createLazyTrust } from './lazy-trust.js';
import type { Offer } from './release.js';
import type { Trust } from './trust.js';

describe('createLazyTrust', () => {
  it('answers through the trust once it is loaded, and has no state to tell before', async () => {
    let release!: (trust: Trust) => void;
    const calls: string[] = [];
    const offer = { name: 'auth', spec: 'stable', version: '1.0.0' } as Offer;
    const loaded: Trust = {
      ready: async () => void calls.push('ready'),
      refresh: async (reason) => {
        calls.push(`refresh ${reason}`);
        return true;
      },
      offer: async (remote, spec) => {
        calls.push(`offer ${remote}@${spec}`);
        return offer;
      },
      stale: () => ({ role: 'timestamp', since: 'then', forMs: 1 }),
      summary: () => ({ root: 1 }) as unknown as ReturnType<Trust['summary']>,
      failure: () => undefined,
    };
    const trust = createLazyTrust(() => new Promise((resolve) => (release = resolve)));
    expect(trust.stale('auth')).toBeUndefined();
    expect(trust.summary()).toBeUndefined();
    const answers = Promise.all([trust.ready(), trust.refresh('event'), trust.offer('auth', 'stable')]);
    expect(calls).toEqual([]);
    release(loaded);
    await expect(answers).resolves.toEqual([undefined, true, offer]);
    expect(calls).toEqual(['ready', 'refresh event', 'offer auth@stable']);
    expect(trust.stale('auth')).toMatchObject({ role: 'timestamp' });
    expect(trust.summary()).toEqual({ root: 1 });
  });

  it('rejects every call with the failure to load it', async () => {
    const failure = new ModmeshError('MODMESH_ROOT_INVALID', 'the root does not verify');
    const trust = createLazyTrust(async () => {
      throw failure;
    });
    await expect(trust.ready()).rejects.toBe(failure);
    await expect(trust.offer('auth', 'stable')).rejects.toBe(failure);
    await expect(trust.refresh('event')).rejects.toBe(failure);
    expect(trust.stale('auth')).toBeUndefined();
  });
});
