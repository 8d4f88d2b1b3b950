// The registry's answers as runtime checks, one per JSON route (keyed like the registry's
// RouteAnswers, so a route added there needs its check here) and one per event type. Each check
// is typed by the contract's type it checks (shapes.ts), so these cannot drift from
// @modmesh/api either.
import type * as api from '@modmesh/api';
import { ERROR_CATALOGUE, type ErrorCode, type ModmeshErrorJson } from '@modmesh/manifest';
import type { JsonRoute, RouteAnswers } from '@modmesh/registry';
import { expect } from 'vitest';
import { anyObject, array, boolean, type Check, integer, isoTime, nullable, object, oneOf, optional, problemsOf, record, string } from './shapes.js';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const version: Check<string> = (value, path, problems) => {
  string(value, path, problems);
  if (typeof value === 'string' && !SEMVER.test(value)) problems.push(`${path}: ${JSON.stringify(value)}, expected a version`);
};

const tagState = object<api.TagState>({ name: string, tag: string, version, seq: integer, updatedAt: isoTime });
const moveKind = oneOf('move', 'rollback');
const tagMove = object<api.TagMove>({
  id: integer,
  name: string,
  tag: string,
  from: nullable(version),
  to: version,
  kind: moveKind,
  actor: string,
  reason: string,
  at: isoTime,
  seq: integer,
  roleVersion: optional(integer),
  signers: optional(array(string)),
});
const signedRelease = object<api.SignedReleaseRecord>({
  manifest: anyObject,
  signature: object<{ algorithm: 'ed25519'; keyId: string; value: string }>({ algorithm: oneOf('ed25519'), keyId: string, value: string }),
  publishedAt: isoTime,
  publishedBy: string,
});
const keyInfo = object<api.PublisherKeyInfo>({ keyId: string, publicKey: string, label: string, addedAt: isoTime });
const consumer = object<api.Consumer>({
  instanceId: string,
  service: string,
  kind: oneOf('node', 'browser'),
  remotes: array(object<api.ConsumerReport['remotes'][number]>({ name: string, version, since: string })),
  shared: optional(array(object<NonNullable<api.ConsumerReport['shared']>[number]>({ name: string, version: string }))),
  lastSeen: isoTime,
});
const consumers = object<api.ConsumersAnswer>({ consumers: array(consumer) });
const history = object<api.HistoryAnswer>({ history: array(tagMove) });
const tokenRole = oneOf('publish', 'read', 'admin');
const tokenInfo = object<api.TokenInfo>({
  id: string,
  role: tokenRole,
  remote: nullable(string),
  label: string,
  createdAt: isoTime,
  expiresAt: optional(isoTime),
  revokedAt: optional(isoTime),
  revokedBy: optional(string),
  lastUsedAt: optional(isoTime),
});
// TUF writes times to the second (`2027-01-01T00:00:00Z`), not as toISOString does.
const tufTime: Check<string> = (value, path, problems) => {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value) || Number.isNaN(Date.parse(value))) {
    problems.push(`${path}: ${JSON.stringify(value)}, expected a TUF time (YYYY-MM-DDTHH:MM:SSZ)`);
  }
};
const tufDocument = object<api.TufDocumentStatus>({ version: integer, expires: tufTime, expiresInSeconds: integer });
const tufStatus = object<api.TufStatus>({
  mode: oneOf('legacy', 'root'),
  documents: record(tufDocument),
  problems: array(object<api.TufStatus['problems'][number]>({ code: string, message: string })),
  warnings: array(object<api.TufStatus['warnings'][number]>({ role: string, message: string })),
});
const signedTagMove = object<api.SignedTagMove>({
  name: string,
  tag: string,
  from: nullable(version),
  to: version,
  kind: moveKind,
  actor: string,
  reason: string,
  at: isoTime,
  seq: integer,
  roleVersion: integer,
  signers: array(string),
});

/** What each JSON route answers when it succeeds. */
export const ANSWER_CHECKS: { [R in JsonRoute]: Check<RouteAnswers[R]> } = {
  'GET /health': object<api.HealthAnswer>({ status: oneOf('ok'), tuf: optional(tufStatus) }),
  'GET /v1/whoami': object<api.WhoamiAnswer>({ role: oneOf('admin', 'publish', 'read', 'anonymous'), remote: optional(nullable(string)) }),
  'GET /v1/remotes': object<api.RemotesAnswer>({
    remotes: array(object<api.RemoteSummary>({ name: string, releases: integer, latest: nullable(version), tags: record(version) })),
  }),
  'GET /v1/remotes/:name': object<api.RemoteAnswer>({
    name: string,
    versions: array(object<api.VersionEntry>({ version, publishedAt: isoTime })),
    tags: array(tagState),
    keys: array(keyInfo),
  }),
  'GET /v1/remotes/:name/resolve/:spec': object<api.ResolveAnswer>({
    name: string,
    spec: string,
    version,
    tag: optional(object<api.ResolvedTag>({ name: string, seq: integer, updatedAt: isoTime, kind: moveKind })),
    release: optional(signedRelease),
  }),
  'GET /v1/remotes/:name/releases/:version': signedRelease,
  'PUT /v1/remotes/:name/blobs/:sha256': object<api.UploadAnswer>({ sha256: string, size: integer, created: boolean }),
  'POST /v1/remotes/:name/releases': object<api.PublishAnswer>({
    name: string,
    version,
    files: integer,
    tag: optional(string),
    releasesVersion: optional(integer),
    tagsVersion: optional(integer),
  }),
  'GET /v1/remotes/:name/tags': object<api.TagsAnswer>({ tags: array(tagState) }),
  'PUT /v1/remotes/:name/tags/:tag': tagMove,
  'POST /v1/remotes/:name/tags/:tag/rollback': tagMove,
  'GET /v1/remotes/:name/tags/:tag/history': history,
  'GET /v1/remotes/:name/history': history,
  'POST /v1/consumers': object<api.ReportAnswer>({ instanceId: string, lastSeen: isoTime }),
  'DELETE /v1/consumers/:instanceId': object<api.ForgetAnswer>({ removed: oneOf(true) }),
  'GET /v1/consumers': consumers,
  'GET /v1/remotes/:name/consumers': consumers,
  'POST /v1/remotes/:name/keys': object<api.AddKeyAnswer>({ name: string, keyId: string }),
  'GET /v1/remotes/:name/keys': object<api.KeysAnswer>({ keys: array(keyInfo) }),
  'DELETE /v1/remotes/:name/keys/:keyId': object<api.RemoveKeyAnswer>({ name: string, keyId: string, removed: oneOf(true) }),
  'POST /v1/tokens': object<api.CreateTokenAnswer>({ token: string, id: string, role: tokenRole, remote: nullable(string), expiresAt: isoTime }),
  'GET /v1/tokens': object<api.TokensAnswer>({ tokens: array(tokenInfo) }),
  'DELETE /v1/tokens/:id': tokenInfo,
  'GET /v1/audit': object<api.AuditAnswer>({
    entries: array(
      object<api.AuditEntry>({
        id: integer,
        at: isoTime,
        tokenId: string,
        role: tokenRole,
        action: string,
        subject: string,
        outcome: string,
        address: string,
      }),
    ),
  }),
  'PUT /v1/tuf/roots/:version': object<api.PushMetadataAnswer>({ version: integer }),
  'PUT /v1/tuf/targets/:version': object<api.PushMetadataAnswer>({ version: integer }),
  'PUT /v1/remotes/:name/tags': object<api.TagsRoleAnswer>({ name: string, tagsVersion: integer, moves: array(signedTagMove) }),
  'PUT /v1/remotes/:name/releases': object<api.ReleasesRoleAnswer>({ name: string, releasesVersion: integer }),
};

/** The data of each event type of `GET /v1/events`. */
export const EVENT_CHECKS: { [T in api.EventType]: Check<api.EventData[T]> } = {
  'tuf.updated': object<api.EventData['tuf.updated']>({ timestampVersion: integer, at: isoTime }),
  'release.published': object<api.EventData['release.published']>({ name: string, version, publishedBy: string, at: isoTime }),
  'tag.moved': object<api.EventData['tag.moved']>({
    name: string,
    tag: string,
    from: nullable(version),
    to: version,
    kind: moveKind,
    actor: string,
    reason: string,
    at: isoTime,
    seq: integer,
    roleVersion: optional(integer),
    signers: optional(array(string)),
  }),
};

const errorCode = oneOf(...(Object.keys(ERROR_CATALOGUE) as ErrorCode[]));
const errorJson: Check<ModmeshErrorJson> = object<ModmeshErrorJson>({
  code: errorCode,
  message: string,
  hint: string,
  remote: optional(string),
  version: optional(string),
  file: optional(string),
  cause: optional((value, path, problems) => errorJson(value, path, problems)),
});
/** Every refusal, whatever the route. */
export const ERROR_CHECK = object<api.ErrorAnswer>({ error: errorJson });

/**
 * Asserts that an injected answer succeeded and is exactly what `route` promises (no field
 * missing, mistyped or extra), and returns it typed.
 *
 * @example
 * const { tags } = expectAnswer('GET /v1/remotes/:name/tags', await app.inject({ url: '/v1/remotes/auth/tags' }));
 */
export function expectAnswer<R extends JsonRoute>(route: R, response: { statusCode: number; body: string }): RouteAnswers[R] {
  expect(response.statusCode, `${route}: ${response.body.slice(0, 300)}`).toBeOneOf([200, 201]);
  const body: unknown = JSON.parse(response.body);
  expect(problemsOf(body, ANSWER_CHECKS[route]), route).toEqual([]);
  return body as RouteAnswers[R];
}

/** Asserts that an injected answer is a coded refusal in the one error shape, and returns its error. */
export function expectRefusal(response: { statusCode: number; body: string }): ModmeshErrorJson {
  expect(response.statusCode, response.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
  const body: unknown = JSON.parse(response.body);
  expect(problemsOf(body, ERROR_CHECK)).toEqual([]);
  return (body as api.ErrorAnswer).error;
}
