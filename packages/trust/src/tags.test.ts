import { describe, expect, it } from 'vitest';
import { buildTagsUpdate } from './build-roles.js';
import type { ReleasesSigned, TagState, TagTarget } from './schema-targets.js';
import { checkTagListing, checkTagProgress, checkTagStatement, checkTagsUpdate, type TagsSigned } from './tags.js';

const H = { '1.0.0': '1'.repeat(64), '1.1.0': '2'.repeat(64), '1.2.0': '3'.repeat(64) } as const;
type Version = keyof typeof H;

const releases = {
  _type: 'targets',
  spec_version: '1.0.34',
  version: 3,
  expires: '2027-12-01T00:00:00Z',
  targets: Object.fromEntries(Object.entries(H).map(([version, sha256]) => [`auth/releases/${version}.json`, { length: 100, hashes: { sha256 } }])),
} as ReleasesSigned;

function state(version: Version, seq: number, previous: [Version, number] | null, rollback = false): TagState {
  return {
    remote: 'auth',
    tag: 'stable',
    version,
    seq,
    rollback,
    previous: previous && { version: previous[0], seq: previous[1], sha256: H[previous[0]] },
    movedAt: '2026-12-01T12:00:00Z',
    reason: '',
  };
}

function target(tagState: TagState): TagTarget {
  return { length: 100, hashes: { sha256: H[tagState.version as Version] }, custom: { modmesh: tagState } };
}

function move(current: TagsSigned | undefined, version: Version, rollback?: boolean): TagsSigned {
  return buildTagsUpdate(current, releases, {
    remote: 'auth',
    tag: 'stable',
    version,
    ...(rollback !== undefined && { rollback }),
    movedAt: '2026-12-01T12:00:00Z',
    expires: '2027-12-01T00:00:00Z',
  }).signed;
}

describe('T1: a tag statement', () => {
  it('holds on creation and on each move, with rollback set exactly when the version goes down', () => {
    expect(() => checkTagStatement(state('1.0.0', 1, null))).not.toThrow();
    expect(() => checkTagStatement(state('1.1.0', 2, ['1.0.0', 1]))).not.toThrow();
    expect(() => checkTagStatement(state('1.0.0', 3, ['1.1.0', 2], true))).not.toThrow();
    // Forward again after a rollback (1.2 → 1.0 → 1.1) is no rollback: the authority is seq.
    expect(() => checkTagStatement(state('1.1.0', 4, ['1.0.0', 3]))).not.toThrow();
  });

  it.each([
    ['a first state naming a previous one', state('1.1.0', 1, ['1.0.0', 1])],
    ['a later state naming none', state('1.1.0', 2, null)],
    ['a seq that skips', state('1.1.0', 4, ['1.0.0', 2])],
    ['going down without rollback', state('1.0.0', 2, ['1.1.0', 1])],
    ['a rollback that does not go down', state('1.2.0', 2, ['1.1.0', 1], true)],
    ['a rollback on creation', state('1.0.0', 1, null, true)],
  ])('is MODMESH_TAG_STATE_INVALID for %s', (_, bad) => {
    expect(() => checkTagStatement(bad)).toThrow(expect.objectContaining({ code: 'MODMESH_TAG_STATE_INVALID', remote: 'auth' }));
  });
});

describe('T2: a tag points at a listed release', () => {
  it('with its length and hash; otherwise MODMESH_RELEASE_NOT_LISTED or MODMESH_TAG_STATE_INVALID', () => {
    expect(() => checkTagListing(target(state('1.1.0', 1, null)), releases)).not.toThrow();
    const unlisted = { ...target(state('1.1.0', 1, null)), custom: { modmesh: { ...state('1.1.0', 1, null), version: '9.9.9' } } };
    expect(() => checkTagListing(unlisted, releases)).toThrow(expect.objectContaining({ code: 'MODMESH_RELEASE_NOT_LISTED', version: '9.9.9' }));
    expect(() => checkTagListing({ ...target(state('1.1.0', 1, null)), length: 99 }, releases)).toThrow(
      expect.objectContaining({ code: 'MODMESH_TAG_STATE_INVALID' }),
    );
  });
});

describe('T3: against the highest state seen', () => {
  it('accepts later seqs, including an older version by a signed rollback, and refuses going back', () => {
    const seen = { seq: 2, version: '1.1.0', sha256: H['1.1.0'] };
    expect(() => checkTagProgress(seen, target(state('1.0.0', 3, ['1.1.0', 2], true)))).not.toThrow();
    expect(() => checkTagProgress(seen, target(state('1.1.0', 2, ['1.0.0', 1])))).not.toThrow();
    expect(() => checkTagProgress(seen, target(state('1.0.0', 1, null)))).toThrow(expect.objectContaining({ code: 'MODMESH_REPLAY_REFUSED' }));
    expect(() => checkTagProgress(seen, target(state('1.2.0', 2, ['1.0.0', 1])))).toThrow(expect.objectContaining({ code: 'MODMESH_TAG_STATE_CONFLICT' }));
  });
});

describe('T4: an upload of R.tags N+1', () => {
  it('accepts a move built on the current version', () => {
    const v1 = move(undefined, '1.0.0');
    const v2 = move(v1, '1.1.0');
    expect(() => checkTagsUpdate(v1, v2, releases, ['stable'])).not.toThrow();
    expect(v2.targets['auth/tags/stable']?.custom.modmesh).toMatchObject({ seq: 2, previous: { version: '1.0.0', seq: 1, sha256: H['1.0.0'] } });
  });

  it('is MODMESH_TAG_CONFLICT when built on another version than the current one', () => {
    const v1 = move(undefined, '1.0.0');
    const v2 = move(v1, '1.1.0');
    const v2b = move(v1, '1.2.0');
    expect(() => checkTagsUpdate(v2, v2b, releases, ['stable'])).toThrow(expect.objectContaining({ code: 'MODMESH_TAG_CONFLICT' }));
  });

  it('is MODMESH_TAG_STATE_INVALID when it changes a tag it does not name, or does not continue the current state', () => {
    const v1 = move(undefined, '1.0.0');
    const v2 = move(v1, '1.1.0');
    expect(() => checkTagsUpdate(v1, v2, releases, ['canary'])).toThrow(expect.objectContaining({ code: 'MODMESH_TAG_STATE_INVALID' }));
    const forked = structuredClone(v2);
    const stable = forked.targets['auth/tags/stable'] as TagTarget;
    stable.custom.modmesh.previous = { version: '1.0.0', seq: 1, sha256: H['1.2.0'] };
    expect(() => checkTagsUpdate(v1, forked, releases, ['stable'])).toThrow(
      expect.objectContaining({ code: 'MODMESH_TAG_STATE_INVALID', message: expect.stringContaining('but the current state is') }),
    );
  });
});

describe('buildTagsUpdate (tag set, rollback)', () => {
  it('requires --rollback exactly when going down, before anything is signed', () => {
    const v2 = move(move(undefined, '1.0.0'), '1.2.0');
    expect(() => move(v2, '1.1.0')).toThrow(
      expect.objectContaining({ code: 'MODMESH_TAG_STATE_INVALID', message: expect.stringContaining('without rollback: true') }),
    );
    expect(move(v2, '1.1.0', true).targets['auth/tags/stable']?.custom.modmesh).toMatchObject({ seq: 3, rollback: true, version: '1.1.0' });
    expect(() => move(v2, '1.2.0', true)).toThrow(expect.objectContaining({ code: 'MODMESH_TAG_STATE_INVALID' }));
  });

  it('refuses a version the releases role does not list, and a reason that breaks the text rules', () => {
    const options = { remote: 'auth', tag: 'stable', movedAt: '2026-12-01T12:00:00Z', expires: '2027-12-01T00:00:00Z' };
    expect(() => buildTagsUpdate(undefined, releases, { ...options, version: '2.0.0' })).toThrow(
      expect.objectContaining({ code: 'MODMESH_RELEASE_NOT_LISTED' }),
    );
    expect(() => buildTagsUpdate(undefined, releases, { ...options, version: '1.0.0', reason: 'line\nbreak' })).toThrow(
      expect.objectContaining({ code: 'MODMESH_META_INVALID' }),
    );
  });

  it('continues a legacy seq on adoption, and only when the role is new', () => {
    const options = { remote: 'auth', tag: 'stable', version: '1.1.0', movedAt: '2026-12-01T12:00:00Z', expires: '2027-12-01T00:00:00Z' };
    const adopted = buildTagsUpdate(undefined, releases, { ...options, continues: { version: '1.0.0', seq: 6, sha256: H['1.0.0'] } });
    expect(adopted.signed.targets['auth/tags/stable']?.custom.modmesh).toMatchObject({ seq: 7, previous: { seq: 6 } });
    const existing = move(undefined, '1.0.0');
    expect(() => buildTagsUpdate(existing, releases, { ...options, tag: 'canary', continues: { version: '1.0.0', seq: 6, sha256: H['1.0.0'] } })).toThrow(
      expect.objectContaining({ code: 'MODMESH_TAG_STATE_INVALID' }),
    );
  });
});
