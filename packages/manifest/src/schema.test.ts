import { describe, expect, it } from 'vitest';
import { specKindOf } from './schema.js';

describe('specKindOf', () => {
  it('tells versions, tags and ranges apart the way the registry resolves them', () => {
    expect(['1.2.3', 'stable', 'canary-eu', '^1', '>=1.0.0 <2', 'x', '1.x'].map(specKindOf)).toEqual([
      'version',
      'tag',
      'tag',
      'range',
      'range',
      // `x` is semver's wildcard: a range, never a tag (the registry refuses it as a tag name).
      'range',
      'range',
    ]);
  });

  it('refuses what is none of them', () => {
    expect(['Stable', 'a b!', 'x'.repeat(300)].map(specKindOf)).toEqual([undefined, undefined, undefined]);
  });
});
