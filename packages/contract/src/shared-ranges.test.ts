import type { SharedEntry } from '@modmesh/manifest';
import { describe, expect, it } from 'vitest';
import { sharedRangeChanges } from './shared-ranges.js';

const jwt = (requiredVersion: string | false, singleton = true): SharedEntry => ({ name: 'jsonwebtoken', version: '9.0.3', requiredVersion, singleton });
const hosts = [
  { service: 'user-service', kind: 'node', shared: [{ name: 'jsonwebtoken', version: '9.0.3' }] },
  { service: 'user-service', kind: 'node', shared: [{ name: 'jsonwebtoken', version: '9.0.3' }] },
  { service: 'billing', kind: 'node', shared: [{ name: 'express', version: '5.1.0' }] },
];

describe('shared ranges against what hosts provide', () => {
  it('reports a singleton whose new range leaves out the version hosts provide, once per version, each service once', () => {
    expect(sharedRangeChanges([jwt('^9.0.0')], [jwt('^10.0.0')], hosts)).toEqual([
      { name: 'jsonwebtoken', before: '^9.0.0', after: '^10.0.0', provided: '9.0.3', services: ['user-service'], singleton: true },
    ]);
    expect(sharedRangeChanges([], [jwt('>=9.1.0')], hosts)).toEqual([
      { name: 'jsonwebtoken', before: undefined, after: '>=9.1.0', provided: '9.0.3', services: ['user-service'], singleton: true },
    ]);
  });

  it('keeps a range that still holds what hosts provide, one that never did, and no range at all', () => {
    expect(sharedRangeChanges([jwt('^9.0.0')], [jwt('~9.0.1')], hosts)).toEqual([]);
    expect(sharedRangeChanges([jwt('^10.0.0')], [jwt('^10.1.0')], hosts)).toEqual([]);
    expect(sharedRangeChanges([jwt('^9.0.0')], [jwt(false)], hosts)).toEqual([]);
  });

  it('tells a package that is no singleton apart: the remote then loads a copy of its own', () => {
    expect(sharedRangeChanges([jwt('^9.0.0')], [jwt('^10.0.0', false)], hosts)).toEqual([expect.objectContaining({ name: 'jsonwebtoken', singleton: false })]);
  });
});
