import { ModmeshError, REMOTE_NAME, REMOTE_NAME_RULE, specKindOf, TAG_NAME } from '@modmesh/manifest';
import semver from 'semver';

export type Spec = { kind: 'version'; version: string } | { kind: 'tag'; tag: string } | { kind: 'range'; range: string };

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !REMOTE_NAME.test(name)) {
    throw new ModmeshError('MODMESH_INVALID_NAME', `${shown(name)} is not a valid remote name: ${REMOTE_NAME_RULE}`);
  }
  return name;
}

export function checkVersion(version: unknown, remote?: string): string {
  if (typeof version !== 'string' || version.length > 128 || semver.valid(version) !== version) {
    throw new ModmeshError('MODMESH_INVALID_VERSION', `${shown(version)} is not a full semantic version such as 1.2.3`, { remote });
  }
  return version;
}

/** Tag names can never be read as a version or a range, so `name@spec` is never ambiguous. */
export function checkTag(tag: unknown, remote?: string): string {
  if (typeof tag !== 'string' || !TAG_NAME.test(tag) || semver.validRange(tag) !== null) {
    throw new ModmeshError('MODMESH_INVALID_TAG', `${shown(tag)} is not a valid tag name (lowercase letters, digits, dashes; not a version range)`, {
      remote,
    });
  }
  return tag;
}

export function parseSpec(spec: string, remote: string): Spec {
  const kind = specKindOf(spec);
  if (kind === 'version') return { kind, version: spec };
  if (kind === 'tag') return { kind, tag: spec };
  if (kind === 'range') return { kind, range: spec };
  throw new ModmeshError('MODMESH_INVALID_SPEC', `"${spec.slice(0, 80)}" is neither a version, a range nor a tag`, { remote });
}

/** A string field of a JSON body, or a coded error naming it. */
export function optionalString(body: Record<string, unknown>, field: string, maxLength = 1000): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new ModmeshError('MODMESH_BAD_REQUEST', `"${field}" must be a string of at most ${maxLength} characters`);
  }
  return value;
}

export function jsonObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ModmeshError('MODMESH_BAD_REQUEST', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

const CONTENT_TYPES: Record<string, string> = {
  js: 'application/javascript; charset=utf-8',
  mjs: 'application/javascript; charset=utf-8',
  cjs: 'application/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  css: 'text/css; charset=utf-8',
  wasm: 'application/wasm',
  svg: 'image/svg+xml',
  png: 'image/png',
  txt: 'text/plain; charset=utf-8',
};

/** The content type for a release file, by its extension. HTML is served as text: never rendered from the registry's origin. */
export function contentTypeOf(path: string | undefined): string {
  const extension = path?.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

// --- internal ---

// A value as an error message names it: briefly, and without walking it (a request body can
// nest arrays a hundred thousand deep, which JSON.stringify would overflow the stack on).
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
