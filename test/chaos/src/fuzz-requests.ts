// Malformed requests to the registry API, as fast-check arbitraries: every route with its
// segments, query strings, headers and bodies drawn from near-valid, hostile and random values.
// Requests with a token that may write are built so that they can never be a valid write (a tag
// is only ever moved to an unpublished version, a token only asked for an invalid remote...):
// whatever they do to the registry's stored state is a bug, not the fuzzer's doing.
import { validateHeaderValue } from 'node:http';
import { REMOTE_NAME, type SignedRelease } from '@modmesh/manifest';
import fc from 'fast-check';

export interface FuzzRequest {
  method: string;
  /** Sent as is: percent-encoded garbage stays garbage. */
  path: string;
  headers: Record<string, string>;
  /** Built only when sent: some bodies are hundreds of kilobytes. */
  body?: () => Buffer;
  /** The body, short, for a report. */
  bodyLabel: string;
}

export interface FuzzContext {
  names: string[];
  versions: string[];
  tags: string[];
  blobs: string[];
  tokens: { admin: string; publish: string; read: string };
  releases: SignedRelease[];
}

export function fuzzRequest(context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const values = segmentValues(context);
  const route = fc.oneof({ weight: 6, arbitrary: structuredRoute(context, values) }, { weight: 1, arbitrary: randomRoute(values) });
  // Mostly the content type the body is, so that requests get past the parser to the routes.
  const withContentType = route.chain((chosen) =>
    fc.tuple(
      fc.constant(chosen),
      fc.oneof(
        { weight: chosen[2]?.type ? 4 : 0, arbitrary: fc.constant(chosen[2]?.type) },
        { weight: 1, arbitrary: contentType() },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
    ),
  );
  const extra = fc.option(extraHeader(), { nil: undefined });
  return fc.tuple(withContentType, authorization(context), extra, queryString(values)).map(([[[method, path, body], type], auth, headers, query]) => ({
    method,
    path: `${path}${query}`,
    headers: { ...(auth !== undefined && { authorization: auth }), ...(type !== undefined && { 'content-type': type }), ...headers },
    ...(body && { body: body.bytes }),
    bodyLabel: body?.label ?? '',
  }));
}

// --- internal ---

type Body = { bytes: () => Buffer; label: string; type?: string };
type Route = [method: string, path: string, body: Body | undefined];
type Values = ReturnType<typeof segmentValues>;

const JSON_TYPE = 'application/json';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
// Methods Node's parser knows but no route of the registry answers.
const ODD_METHODS = ['TRACE', 'PROPFIND', 'SEARCH', 'PURGE', 'COPY', 'LOCK', 'MKCOL', 'REPORT'];

const HOSTILE_TEXT = [
  '',
  ' ',
  '.',
  '..',
  '...',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '%',
  '%%',
  '%zz',
  '%00',
  '%2F',
  '%2e%2e',
  '%2e%2e%2f%2e%2e',
  '%C0%AE',
  '%FF',
  '%ED%A0%80',
  '%E0%80%AF',
  '\u0000',
  '\u202e',
  '😀',
  'a'.repeat(65),
  'a'.repeat(5000),
  'AUTH',
  'auth/',
  'auth%2Fstable',
  '*',
  ';',
  '#frag',
  '~',
  'latest',
  '..%2f..%2fetc%2fpasswd',
];

function garbageText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_TEXT),
    fc.string({ maxLength: 24 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
  );
}

// Known values more often than garbage: a request refused for its first segment tests little.
const mostly = <T>(known: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 3, arbitrary: known }, { weight: 1, arbitrary: other });

function segmentValues(context: FuzzContext) {
  const published = fc.constantFrom(...context.versions);
  return {
    name: mostly(fc.constantFrom(...context.names), fc.oneof(fc.constantFrom('unknown_remote', 'a'), garbageText())),
    version: fc.oneof(
      published,
      fc.constantFrom('9.9.9', '1.0', 'v1.0.0', '1.0.0-', '01.0.0', '1.0.0+build.7', '1.0.0-beta.1', '99999999999999999999.0.0', '1.0.0'.repeat(30)),
      garbageText(),
    ),
    spec: fc.oneof(
      published,
      fc.constantFrom(...context.tags),
      fc.constantFrom('^1', '~1.0', '>=1 <2', '1.x', '*', '^1 || ^2', '>', '<<1', '1 - 2', '^'.repeat(300), '>=1.0.0 '.repeat(60), 'x || '.repeat(80)),
      garbageText(),
    ),
    tag: mostly(fc.constantFrom(...context.tags), fc.oneof(fc.constantFrom('canary', 'x', 'Stable', '1', 'a-', 'a'.repeat(65), 'beta'), garbageText())),
    sha256: fc.oneof(
      fc.constantFrom(...context.blobs),
      fc.stringMatching(/^[0-9a-f]{64}$/),
      fc.stringMatching(/^[0-9a-fA-F]{1,80}$/),
      fc.constantFrom(...context.blobs.map((hash) => hash.toUpperCase())),
      garbageText(),
    ),
    // Never a real key id or instance: deleting one would be a valid write.
    id: garbageText(),
    file: fc.oneof(fc.constantFrom('remoteEntry.js', 'chunks/expose.js', '../remoteEntry.js', 'chunks/../remoteEntry.js', 'chunks%2Fexpose.js'), garbageText()),
  };
}

function structuredRoute(context: FuzzContext, v: Values): fc.Arbitrary<Route> {
  const read = fc.oneof({ weight: 4, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constant('HEAD') });
  const anyMethod = fc.constantFrom(...METHODS);
  const routes: fc.Arbitrary<Route>[] = [
    fc
      .tuple(anyMethod, fc.constantFrom('/health', '/metrics', '/', '/v1/remotes', '/v1/events', '/v1/consumers', '/v1/tokens', '/v1/whoami', '/dashboard/x'))
      .map(([method, path]) => [method, path, undefined]),
    fc.tuple(read, v.name).map(([method, name]) => [method, `/v1/remotes/${seg(name)}`, undefined]),
    fc.tuple(read, v.name, v.spec).map(([method, name, spec]) => [method, `/v1/remotes/${seg(name)}/resolve/${seg(spec)}`, undefined]),
    fc.tuple(read, v.name, v.version).map(([method, name, version]) => [method, `/v1/remotes/${seg(name)}/releases/${seg(version)}`, undefined]),
    fc
      .tuple(read, v.name, v.version, v.file)
      .map(([method, name, version, file]) => [method, `/v1/remotes/${seg(name)}/releases/${seg(version)}/files/${rawPath(file)}`, undefined]),
    fc.tuple(read, v.sha256).map(([method, sha256]) => [method, `/v1/blobs/${seg(sha256)}`, undefined]),
    fc
      .tuple(read, v.name, fc.constantFrom('tags', 'history', 'keys', 'consumers'))
      .map(([method, name, what]) => [method, `/v1/remotes/${seg(name)}/${what}`, undefined]),
    fc.tuple(read, v.name, v.tag).map(([method, name, tag]) => [method, `/v1/remotes/${seg(name)}/tags/${seg(tag)}/history`, undefined]),
    fc
      .tuple(v.name, v.sha256, fc.uint8Array({ maxLength: 2048 }))
      .map(([name, sha256, bytes]) => [
        'PUT',
        `/v1/remotes/${seg(name)}/blobs/${seg(sha256)}`,
        { bytes: () => Buffer.from(bytes), label: `${bytes.length} random bytes`, type: 'application/octet-stream' },
      ]),
    fc.tuple(v.name, releaseBody(context)).map(([name, body]) => ['POST', `/v1/remotes/${seg(name)}/releases`, body]),
    fc.tuple(v.name, v.tag, tagMoveBody(context, v)).map(([name, tag, body]) => ['PUT', `/v1/remotes/${seg(name)}/tags/${seg(tag)}`, body]),
    // Every tag of the seeded registry has moved once, so it has nothing to roll back to.
    fc
      .tuple(v.name, v.tag, fc.option(objectBody({ expect: v.version, reason: garbageValue() }), { nil: undefined }))
      .map(([name, tag, body]) => ['POST', `/v1/remotes/${seg(name)}/tags/${seg(tag)}/rollback`, body]),
    fc
      .tuple(v.name, objectBody({ publicKey: invalidPublicKey(), label: garbageValue() }))
      .map(([name, body]) => ['POST', `/v1/remotes/${seg(name)}/keys`, body]),
    fc.tuple(v.name, v.id).map(([name, id]) => ['DELETE', `/v1/remotes/${seg(name)}/keys/${seg(id)}`, undefined]),
    objectBody({ role: fc.constantFrom('publish', 'owner', 'READ', 'write', ''), remote: invalidName(), label: garbageValue() }).map((body) => [
      'POST',
      '/v1/tokens',
      body,
    ]),
    objectBody({ instanceId: garbageValue(), service: garbageValue(), kind: garbageValue(), remotes: garbageValue() }).map((body) => [
      'POST',
      '/v1/consumers',
      body,
    ]),
    fc.tuple(v.id).map(([id]) => ['DELETE', `/v1/consumers/${seg(id)}`, undefined]),
    fc.tuple(anyMethod, jsonText()).map(([method, body]) => [method, '/v1/consumers', body]),
  ];
  return fc.oneof(...routes);
}

function randomRoute(v: Values): fc.Arbitrary<Route> {
  const segment = fc.oneof(v.name, v.version, v.tag, v.sha256, fc.constantFrom('v1', 'remotes', 'blobs', 'tags', 'releases', 'resolve', 'history', 'events'));
  return fc
    .tuple(fc.constantFrom(...METHODS, ...ODD_METHODS), fc.array(segment, { maxLength: 7 }), fc.option(jsonText(), { nil: undefined }))
    .map(([method, segments, body]) => [method, `/${segments.map(rawPath).join('/')}`, body]);
}

function releaseBody(context: FuzzContext): fc.Arbitrary<Body> {
  const known = fc.constantFrom(...context.releases);
  return fc.oneof(
    // A replay of a published release (with a tag, too): refused as existing, atomically.
    fc
      .tuple(known, fc.option(fc.constantFrom('stable', 'canary', 'fresh'), { nil: undefined }))
      .map(([release, tag]) => json({ ...release, ...(tag && { tag }) })),
    // A published release with one thing changed: its signature no longer matches, or it is invalid.
    fc
      .tuple(known, fc.constantFrom('version', 'name', 'files', 'containers', 'schema', 'build'), garbageValue())
      .map(([release, field, value]) => json({ ...release, manifest: { ...release.manifest, [field]: value } })),
    fc
      .tuple(known, fc.constantFrom('algorithm', 'keyId', 'value'), garbageValue())
      .map(([release, field, value]) => json({ ...release, signature: { ...release.signature, [field]: value } })),
    objectBody({ manifest: garbageValue(), signature: garbageValue(), tag: garbageValue(), reason: garbageValue() }),
    jsonText(),
  );
}

function tagMoveBody(context: FuzzContext, v: Values): fc.Arbitrary<Body> {
  // Never a published version: a valid move with a valid expectation could otherwise happen.
  const unpublished = fc
    .oneof(fc.constantFrom('9.9.9', '0.0.1', '1.0.0-unpublished', '3.0.0'), garbageValue())
    .filter((value) => typeof value !== 'string' || !context.versions.includes(value));
  return fc.oneof(objectBody({ version: unpublished, expect: fc.oneof(v.version, fc.constant(null), garbageValue()), reason: garbageValue() }), jsonText());
}

/** A JSON object body with some of `fields`, and sometimes a stray or hostile key. */
function objectBody(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Body> {
  const entries = Object.entries(fields).map(([key, value]) =>
    fc.option(
      value.map((item) => [key, item] as const),
      { nil: undefined },
    ),
  );
  const stray = fc.option(fc.tuple(fc.constantFrom('extra', 'isAdmin', 'role', '', 'a'.repeat(300)), garbageValue()), { nil: undefined });
  return fc.tuple(fc.tuple(...entries), stray).map(([present, extra]) => {
    const object: Record<string, unknown> = {};
    for (const entry of present) if (entry) object[entry[0]] = entry[1];
    if (extra) object[extra[0]] = extra[1];
    return json(object);
  });
}

function garbageValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, -0, '', '1.0.0', 'x'.repeat(5000), [], {}, [null], { length: 1 }),
    garbageText(),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

// Never a valid name: the admin token would otherwise be given a new token.
function invalidName(): fc.Arbitrary<unknown> {
  return fc
    .oneof(fc.constantFrom(undefined, null, 'Auth', '1auth', 'auth-x', '', 'a'.repeat(65), '__proto__', 'a b', 42, ['auth']), fc.constantFrom(...HOSTILE_TEXT))
    .filter((value) => typeof value !== 'string' || !REMOTE_NAME.test(value));
}

function invalidPublicKey(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(
      'ed25519:',
      'ed25519:AAAA',
      `ed25519:${'A'.repeat(44)}`,
      'rsa:AAAA',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      'x'.repeat(5000),
    ),
    garbageValue(),
  );
}

function jsonText(): fc.Arbitrary<Body> {
  const text = (value: string): Body => ({ bytes: () => Buffer.from(value), label: value.length > 120 ? `${value.slice(0, 117)}...` : value, type: JSON_TYPE });
  return fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => text(JSON.stringify(value))),
    fc
      .constantFrom(
        '',
        ' ',
        'null',
        'true',
        '0',
        '-0',
        '1e309',
        '-1e309',
        '123456789012345678901234567890',
        '"str"',
        '[]',
        '{}',
        '{"__proto__":{"isAdmin":true}}',
        '{"constructor":{"prototype":{"isAdmin":true}}}',
        '{"manifest":{"__proto__":{"name":"auth"}}}',
        '{"a":1,"a":2}',
        '{"manifest":',
        '{',
        '}',
        '\uFEFF{}',
        '{"version":1e309,"expect":null}',
        '{"version":-1e309,"expect":1e309}',
        "{'single':1}",
        'NaN',
        '{"version":"1.0.0"}garbage',
        '{"reason":"\\ud800"}',
        '{"reason":"\\u0000"}',
      )
      .map(text),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ bytes: () => Buffer.from(bytes), label: `${bytes.length} random bytes` })),
    fc.tuple(fc.integer({ min: 1000, max: 200_000 }), fc.constantFrom('[', '{"a":', '{"manifest":', '{"version":', '{"remotes":')).map(([depth, open]) => ({
      bytes: () => Buffer.from(deep(open, depth)),
      label: `${JSON.stringify(open)} nested ${depth} deep`,
      type: JSON_TYPE,
    })),
  );
}

function deep(open: string, depth: number): string {
  if (open === '[') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  // `{"version":` then `[[[...]]]`: the deep part sits in a field the registry reads.
  const inner = open === '{"a":' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return open === '{"a":' ? inner : `${open}${inner}}`;
}

function json(value: unknown): Body {
  const text = JSON.stringify(value) ?? 'null';
  return { bytes: () => Buffer.from(text), label: text.length > 120 ? `${text.slice(0, 117)}...` : text, type: JSON_TYPE };
}

function authorization(context: FuzzContext): fc.Arbitrary<string | undefined> {
  const { admin, publish, read } = context.tokens;
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: fc.constantFrom(`Bearer ${admin}`, `Bearer ${publish}`, `Bearer ${read}`) },
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      `bearer ${publish}`,
      `Bearer  ${admin}`,
      `Bearer ${admin}x`,
      `Bearer ${admin.toUpperCase()}`,
      `Bearer ${publish} extra`,
      'Basic YWRtaW46YWRtaW4=',
      `Bearer ${'x'.repeat(8000)}`,
      'Bearer mmp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'Bearer \u00ff\u00fe',
    ),
    fc.string({ maxLength: 40 }).map((text) => `Bearer ${text}`),
    headerValue(),
  );
}

function contentType(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16le',
      'application/json; charset=nonsense',
      'application/JSON',
      'application/json, text/plain',
      'application/octet-stream',
      'text/plain',
      'text/html',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      '',
      ';',
    ),
    headerValue(),
  );
}

function extraHeader(): fc.Arbitrary<Record<string, string>> {
  return fc
    .tuple(fc.constantFrom('last-event-id', 'if-none-match', 'accept', 'accept-encoding', 'x-forwarded-for', 'origin', 'range', 'expect'), headerValue())
    .map(([name, value]) => ({ [name]: name === 'expect' ? '100-continue' : value }));
}

function headerValue(): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom(...HOSTILE_TEXT), fc.string({ maxLength: 64 })).filter(isValidHeaderValue);
}

function queryString(v: Values): fc.Arbitrary<string> {
  const value = fc.oneof(fc.constantFrom('-1', '0', '1', '1e309', 'NaN', '9007199254740993', '1000000', '[]', 'release', 'auth'), garbageText());
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('limit', 'include', 'lastEventId', 'remote', '__proto__[x]', 'constructor'), value)
        .map(([key, item]) => `?${key}=${rawPath(item)}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('?limit=1&limit=2', '?include=release&include=release', '?', '??', '?&&&', '?a[b][c]=1', `?${'x='.repeat(500)}`) },
    { weight: 1, arbitrary: v.name.map((name) => `?${rawPath(name)}`) },
  );
}

/** A path segment URL-encoded, as a client would send a value. */
function seg(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be encoded: send what a careless client would.
    return rawPath(value);
  }
}

/** As written, only escaping what an HTTP request line cannot carry: `%zz` stays `%zz`. */
function rawPath(value: string): string {
  return [...value]
    .map((char) => (/^[\x21-\x7e]$/.test(char) ? char : [...Buffer.from(char)].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('')))
    .join('');
}

function isValidHeaderValue(value: string): boolean {
  try {
    validateHeaderValue('x', value);
    return true;
  } catch {
    return false;
  }
}
