import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { specKindOf, TAG_NAME } from './schema.js';

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

  it('answers as semver does for any spec, also where it skips semver for a plain tag', () => {
    // The rule as semver alone states it; specKindOf answers plain tag names without it.
    const bySemver = (spec: string) => {
      if (spec.length > 256) return undefined;
      if (semver.valid(spec) === spec) return 'version';
      if (semver.validRange(spec) === null) return TAG_NAME.test(spec) ? 'tag' : undefined;
      return 'range';
    };
    const characters = fc.constantFrom(...'abcstvxXz019.-_^~<>=*| '.split(''));
    fc.assert(
      fc.property(fc.string({ unit: characters, maxLength: 12 }), (spec) => {
        expect(specKindOf(spec), JSON.stringify(spec)).toBe(bySemver(spec));
      }),
      { numRuns: 20_000 },
    );
    for (const spec of ['stable', 'a || 1.2.3', 'a - 1.2.3', 'ab*', 'v1', 'x.1', 'X', 'latest', 'next-1']) expect(specKindOf(spec), spec).toBe(bySemver(spec));
  });
});
