import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from './catalogue.js';
import { isModmeshError, ModmeshError } from './errors.js';

describe('the error catalogue', () => {
  // Codes are an API: hosts and scripts branch on them. Adding one means adding it here;
  // removing or renaming one breaks users and must be a deliberate change of this list.
  it('lists exactly the known codes', () => {
    expect(Object.keys(ERROR_CATALOGUE).sort()).toEqual(
      [
        'MODMESH_AUTH_REQUIRED',
        'MODMESH_BAD_REQUEST',
        'MODMESH_BODY_TOO_LARGE',
        'MODMESH_BOOTED_FROM_CACHE',
        'MODMESH_BUILD_FAILED',
        'MODMESH_CACHE_INCOMPLETE',
        'MODMESH_CHUNK_NOT_IN_RELEASE',
        'MODMESH_CONFIG_INVALID',
        'MODMESH_CONTAINER_NAME_CLASH',
        'MODMESH_CONTRACT_BREAK',
        'MODMESH_DEV_ROOT_MODE',
        'MODMESH_EVENTS_DISCONNECTED',
        'MODMESH_EXPOSE_NOT_FOUND',
        'MODMESH_FALLBACK_USED',
        'MODMESH_FILE_MISSING',
        'MODMESH_FORBIDDEN',
        'MODMESH_HASH_MISMATCH',
        'MODMESH_IMPORT_CONFLICT',
        'MODMESH_INTERNAL',
        'MODMESH_INVALID_JSON',
        'MODMESH_INVALID_NAME',
        'MODMESH_INVALID_SPEC',
        'MODMESH_INVALID_TAG',
        'MODMESH_INVALID_VERSION',
        'MODMESH_KEY_INVALID',
        'MODMESH_KEY_NOT_TRUSTED',
        'MODMESH_MANIFEST_INVALID',
        'MODMESH_MANIFEST_MISMATCH',
        'MODMESH_NOT_FOUND',
        'MODMESH_NO_PREVIOUS_TARGET',
        'MODMESH_NO_VERIFIED_RELEASE',
        'MODMESH_PACKAGE_NOT_INSTALLED',
        'MODMESH_PORT_IN_USE',
        'MODMESH_RANGE_UNSATISFIED',
        'MODMESH_RATE_LIMITED',
        'MODMESH_REMOTE_BAD_CONTENT_TYPE',
        'MODMESH_REMOTE_BAD_STATUS',
        'MODMESH_REMOTE_EVALUATION_FAILED',
        'MODMESH_REMOTE_INCOMPLETE',
        'MODMESH_REMOTE_MANIFEST_INVALID',
        'MODMESH_REMOTE_TIMEOUT',
        'MODMESH_REMOTE_TOO_LARGE',
        'MODMESH_REMOTE_UNAVAILABLE',
        'MODMESH_REMOTE_UNREACHABLE',
        'MODMESH_RELEASE_INCOMPLETE',
        'MODMESH_REPLAY_REFUSED',
        'MODMESH_SHARED_VERSION_CONFLICT',
        'MODMESH_SIGNATURE_INVALID',
        'MODMESH_SIGNATURE_MISSING',
        'MODMESH_SRI_UNSUPPORTED',
        'MODMESH_START_FAILED',
        'MODMESH_STORAGE_SCHEMA',
        'MODMESH_STORAGE_UNAVAILABLE',
        'MODMESH_SWAP_REFUSED',
        'MODMESH_TAG_CONFLICT',
        'MODMESH_TYPES_STALE',
        'MODMESH_UNSAFE_PATH',
        'MODMESH_USAGE',
        'MODMESH_VERSION_EXISTS',
        'MODMESH_ROOT_INVALID',
        'MODMESH_ROOT_ROTATION_REFUSED',
        'MODMESH_ROOT_EXPIRED',
        'MODMESH_META_INVALID',
        'MODMESH_META_SIGNATURE',
        'MODMESH_META_ROLLBACK',
        'MODMESH_META_MISMATCH',
        'MODMESH_META_EXPIRED',
        'MODMESH_META_CONFLICT',
        'MODMESH_STALE',
        'MODMESH_TAG_STATE_INVALID',
        'MODMESH_TAG_STATE_CONFLICT',
        'MODMESH_RELEASE_NOT_LISTED',
        'MODMESH_RELEASE_CHANGED',
        'MODMESH_ONLINE_KEY_MISSING',
        'MODMESH_TOKEN_EXPIRED',
        'MODMESH_TOKEN_REVOKED',
      ].sort(),
    );
  });

  it('gives every code a description and a hint', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^MODMESH_[A-Z_]+$/);
      expect(entry.description.length, code).toBeGreaterThan(20);
      expect(entry.hint.length, code).toBeGreaterThan(20);
    }
  });
});

describe('ModmeshError', () => {
  it('carries its code, subject, the catalogue hint and a coded cause into JSON', () => {
    const cause = new ModmeshError('MODMESH_REMOTE_TIMEOUT', 'no answer', { remote: 'auth', file: 'remoteEntry.js' });
    const error = new ModmeshError('MODMESH_REMOTE_UNAVAILABLE', 'auth/tokenValidator is not available', { remote: 'auth', cause });
    expect(error.toJSON()).toEqual({
      code: 'MODMESH_REMOTE_UNAVAILABLE',
      message: 'auth/tokenValidator is not available',
      hint: ERROR_CATALOGUE.MODMESH_REMOTE_UNAVAILABLE.hint,
      remote: 'auth',
      cause: {
        code: 'MODMESH_REMOTE_TIMEOUT',
        message: 'no answer',
        hint: ERROR_CATALOGUE.MODMESH_REMOTE_TIMEOUT.hint,
        remote: 'auth',
        file: 'remoteEntry.js',
      },
    });
    expect(error.cause).toBe(cause);
  });

  it('is recognised by code, not by class identity, and only for catalogued codes', () => {
    const lookalike = Object.assign(new Error('x'), { code: 'MODMESH_REMOTE_TIMEOUT' });
    expect(isModmeshError(lookalike)).toBe(true);
    expect(isModmeshError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isModmeshError({ code: 'MODMESH_REMOTE_TIMEOUT' })).toBe(false);
    expect(isModmeshError(null)).toBe(false);
  });
});
