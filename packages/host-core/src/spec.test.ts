import { describe, expect, it } from 'vitest';
import { concerns } from './concerns.js';
import { parseModuleId, parseRemotes } from './spec.js';

describe('remote specs, as every host reads them', () => {
  it('a tag, a version, a range, or the name alone for stable', () => {
    expect(parseRemotes({ a: 'auth@stable', b: 'billing@1.2.0', c: 'cart@^1', d: 'docs' })).toEqual([
      { alias: 'a', name: 'auth', spec: 'stable', kind: 'tag' },
      { alias: 'b', name: 'billing', spec: '1.2.0', kind: 'version' },
      { alias: 'c', name: 'cart', spec: '^1', kind: 'range' },
      { alias: 'd', name: 'docs', spec: 'stable', kind: 'tag' },
    ]);
  });

  it('refuses what is none of them, a bad name, and one remote listed twice, naming the entry', () => {
    for (const value of ['auth@', '@stable', 'Auth@stable', 'auth@sta ble', '../x@stable']) {
      expect(() => parseRemotes({ auth: value })).toThrow(
        expect.objectContaining({ code: 'MODMESH_CONFIG_INVALID', message: expect.stringContaining('remotes.auth') }),
      );
    }
    expect(() => parseRemotes({ a: 'auth@stable', b: 'auth@canary' })).toThrow(expect.objectContaining({ code: 'MODMESH_CONFIG_INVALID', remote: 'auth' }));
  });

  it('module ids name a configured remote and an expose', () => {
    expect(parseModuleId('auth/tokenValidator', ['auth'])).toEqual({ alias: 'auth', expose: './tokenValidator' });
    expect(() => parseModuleId('billing/x', ['auth'])).toThrow(expect.objectContaining({ code: 'MODMESH_CONFIG_INVALID' }));
    expect(() => parseModuleId('auth', ['auth'])).toThrow(expect.objectContaining({ code: 'MODMESH_CONFIG_INVALID' }));
  });
});

describe('which registry events concern which remote', () => {
  const moved = (name: string, tag: string) =>
    ({ id: '1', type: 'tag.moved', data: { name, tag, from: null, to: '1.0.0', kind: 'move', actor: '', reason: '', at: '', seq: 1 } }) as const;
  const published = (name: string) => ({ id: '2', type: 'release.published', data: { name, version: '1.0.0', publishedBy: '', at: '' } }) as const;

  it('a tag follower: moves of its tag only; a range follower: new releases; an exact version: nothing', () => {
    const [tag, range, exact] = parseRemotes({ a: 'auth@stable', b: 'billing@^1', c: 'cart@1.0.0' });
    if (!tag || !range || !exact) throw new Error('parsed');
    expect([
      concerns(tag, moved('auth', 'stable')),
      concerns(tag, moved('auth', 'canary')),
      concerns(tag, moved('other', 'stable')),
      concerns(tag, published('auth')),
    ]).toEqual([true, false, false, false]);
    expect([concerns(range, published('billing')), concerns(range, published('auth')), concerns(range, moved('billing', 'stable'))]).toEqual([
      true,
      false,
      false,
    ]);
    expect([concerns(exact, published('cart')), concerns(exact, moved('cart', 'stable'))]).toEqual([false, false]);
  });
});
