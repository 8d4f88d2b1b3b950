import { isModmeshError, ModmeshError } from '@modmesh/manifest/errors';
import { createFetchTransport } from './fetch-transport.js';
import { ACCEPT, DEFAULT_DEADLINES, type Deadlines, type ExpectedKind, type Method, parseJson, receive, type Transport } from './transport.js';
import {
  type AddKeyAnswer,
  type AddKeyRequest,
  type AuditAnswer,
  type ConsumerReport,
  type ConsumersAnswer,
  type CreateTokenAnswer,
  type CreateTokenRequest,
  type HealthAnswer,
  type HistoryAnswer,
  type KeysAnswer,
  type MoveTagRequest,
  type PublishAnswer,
  type PublishRequest,
  type PushMetadataAnswer,
  type ReleasesRoleAnswer,
  type RemoteAnswer,
  type RemotesAnswer,
  type RemoveKeyAnswer,
  type ReportAnswer,
  type ResolvedRelease,
  type RevokeTokenAnswer,
  type RollbackRequest,
  type SignedPublishRequest,
  type SignedReleaseRecord,
  type TagMove,
  type TagsAnswer,
  type TagsRoleAnswer,
  type TokensAnswer,
  TUF_METADATA_PATH,
  TUF_TARGETS_PATH,
  type TufEnvelope,
  UPLOAD_KEY_HEADER,
  type UploadAnswer,
  type WhoamiAnswer,
} from './types.js';

export interface RegistryClientOptions {
  /** The registry's address: scheme, host and port, no path. */
  url: string;
  /** Sent as `Authorization: Bearer ...` with every request. */
  token?: string | undefined;
  /** @default fetch; Node hosts pass `createNodeTransport()` from `@modmesh/api/node`. */
  transport?: Transport;
  deadlines?: Partial<Deadlines>;
  /** Told of every failed request with its coded error and the remote it was about (for metrics). */
  onFailure?: (error: ModmeshError, remote: string | undefined) => void;
  /** What to tell the user about a transport failure, in the caller's terms (a CLI names its flags). */
  hints?: Partial<Record<'MODMESH_REMOTE_TIMEOUT' | 'MODMESH_REMOTE_UNREACHABLE', string>>;
}

/** Every call of the registry's HTTP API (packages/registry/README.md), typed by ./types.ts. */
export interface RegistryClient {
  /** The registry's origin, as requests use it. */
  readonly url: string;
  // reads
  resolve(name: string, spec: string): Promise<ResolvedRelease>;
  release(name: string, version: string): Promise<SignedReleaseRecord>;
  /** A file's bytes by SHA-256, `size` its signed size: the caller checks the hash against the signed manifest. */
  blob(sha256: string, size: number, remote: string): Promise<Uint8Array>;
  /** HEAD of a stored file: whether the registry has these bytes. */
  hasBlob(sha256: string): Promise<boolean>;
  /** Where a release's file is served by its path (a browser loads a container's chunks from there). */
  fileUrl(name: string, version: string, path: string): string;
  /** The same file under the SHA-256 of its signed release document: what a page loads from a registry that requires a read token (a <script> sends none). */
  documentFileUrl(name: string, documentSha256: string, path: string): string;
  /** A TUF metadata file's bytes (`timestamp.json`, `3.snapshot.json`...), at most `maxBytes`; undefined when the registry has none (404). Verified by the caller. */
  tufMetadata(file: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** A TUF target's bytes (`auth/releases/<sha256>.1.2.0.json`), at most `maxBytes`. Verified by the caller against the length and hash its role signed. */
  tufTarget(path: string, maxBytes: number): Promise<Uint8Array>;
  remotes(): Promise<RemotesAnswer>;
  /** A remote's versions, tags and keys (MODMESH_NOT_FOUND when the registry has no such remote). */
  remote(name: string): Promise<RemoteAnswer>;
  tags(name: string): Promise<TagsAnswer>;
  history(name: string, tag?: string, limit?: number): Promise<HistoryAnswer>;
  keys(name: string): Promise<KeysAnswer>;
  consumers(remote?: string): Promise<ConsumersAnswer>;
  whoami(): Promise<WhoamiAnswer>;
  // hosts and pages say what they run
  report(report: ConsumerReport): Promise<ReportAnswer>;
  forget(instanceId: string): Promise<void>;
  // writes
  uploadBlob(name: string, sha256: string, bytes: Uint8Array, keyId?: string): Promise<UploadAnswer>;
  /** A legacy publish (`PublishRequest`), or one in root mode carrying the signed roles (`SignedPublishRequest`). */
  publish(name: string, request: PublishRequest | SignedPublishRequest): Promise<PublishAnswer>;
  moveTag(name: string, tag: string, request: MoveTagRequest): Promise<TagMove>;
  rollback(name: string, tag: string, request?: RollbackRequest): Promise<TagMove>;
  addKey(name: string, request: AddKeyRequest): Promise<AddKeyAnswer>;
  removeKey(name: string, keyId: string): Promise<RemoveKeyAnswer>;
  createToken(request: CreateTokenRequest): Promise<CreateTokenAnswer>;
  // root of trust (design 16): the registry's side
  health(): Promise<HealthAnswer>;
  /** A release's document (what its TUF target is), exact bytes. */
  releaseDocument(name: string, version: string): Promise<Uint8Array>;
  /** Admin: the first root, or the next one (signed by a threshold of the newest root's keys and of its own). */
  pushRoot(root: TufEnvelope): Promise<PushMetadataAnswer>;
  /** Admin: a newer targets, signed by a threshold of the root's targets keys. */
  pushTargets(targets: TufEnvelope): Promise<PushMetadataAnswer>;
  /** `R.tags` N+1 signed by the remote's movers: tag moves, rollbacks, adoption, renewal. */
  putTagsRole(name: string, role: TufEnvelope): Promise<TagsRoleAnswer>;
  /** `R.releases` N+1 signed by the remote's publishers, without a new release: adoption, renewal, withdrawal. */
  putReleasesRole(name: string, role: TufEnvelope): Promise<ReleasesRoleAnswer>;
  tokens(): Promise<TokensAnswer>;
  revokeToken(id: string): Promise<RevokeTokenAnswer>;
  audit(options?: { since?: string; limit?: number }): Promise<AuditAnswer>;
}

// A signed release is a few KB; an answer larger than this is not one.
const MAX_JSON_BYTES = 4 * 1024 * 1024;
// A consumer's report is not worth holding a closing host for.
const REPORT_DEADLINES: Partial<Deadlines> = { connectMs: 1000, firstByteMs: 2000, totalMs: 2000 };

/**
 * The one registry client: hosts, pages, the CLI and the dashboard all call the registry through
 * it. Every request has deadlines and every failure is a coded `ModmeshError` naming the URL; a
 * refusal the registry explains arrives as the registry's own code, hint and subject.
 *
 * @example
 * const client = createRegistryClient({ url: 'http://127.0.0.1:4000' });
 * const { version, release } = await client.resolve('auth', 'stable');
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const base = registryOrigin(options.url);
  const transport = options.transport ?? createFetchTransport();
  const deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};

  interface Call {
    method: Method;
    path: string;
    expect?: ExpectedKind;
    body?: unknown;
    bytes?: Uint8Array;
    headers?: Record<string, string>;
    maxBytes?: number;
    size?: number;
    remote?: string | undefined;
    accept?: number[];
    deadlines?: Partial<Deadlines>;
  }

  async function call(request: Call): Promise<Uint8Array> {
    const url = `${base}${request.path}`;
    const what = `${request.method} ${url}`;
    const expect = request.expect ?? 'json';
    const json = request.body !== undefined;
    try {
      const exchange = await transport.send({
        method: request.method,
        url,
        headers: {
          accept: ACCEPT[expect],
          ...auth,
          ...(json && { 'content-type': 'application/json' }),
          ...(request.bytes && { 'content-type': 'application/octet-stream' }),
          ...request.headers,
        },
        ...(json ? { body: JSON.stringify(request.body) } : request.bytes ? { body: request.bytes } : {}),
        deadlines: { ...deadlines, ...request.deadlines },
        remote: request.remote,
      });
      return await receive(exchange, {
        expect,
        maxBytes: request.maxBytes ?? MAX_JSON_BYTES,
        size: request.size,
        accept: request.accept,
        remote: request.remote,
        what,
        url,
        notRegistryHint: NOT_A_REGISTRY,
      });
    } catch (error) {
      if (!isModmeshError(error)) throw error;
      const hint = options.hints?.[error.code as keyof typeof options.hints];
      const failure = hint
        ? new ModmeshError(error.code, error.message, { hint, remote: error.remote, version: error.version, file: error.file, cause: error.cause })
        : error;
      options.onFailure?.(failure, request.remote);
      throw failure;
    }
  }
  const callJson = async <T>(request: Call): Promise<T> => parseJson<T>(await call(request), `${request.method} ${base}${request.path}`, request.remote);

  return {
    url: base,
    async resolve(name, spec) {
      const path = `${apiPath('remotes', name, 'resolve', spec)}?include=release`;
      const answer = await callJson<Partial<ResolvedRelease>>({ method: 'GET', path, remote: name });
      if (typeof answer.version !== 'string' || !answer.release) {
        throw new ModmeshError('MODMESH_REMOTE_MANIFEST_INVALID', `${base}${path}: the registry's answer has no version and release`, { remote: name });
      }
      return answer as ResolvedRelease;
    },
    release: (name, version) => callJson({ method: 'GET', path: apiPath('remotes', name, 'releases', version), remote: name }),
    async blob(sha256, size, remote) {
      return call({ method: 'GET', path: apiPath('blobs', sha256), expect: 'bytes', maxBytes: size, size, remote });
    },
    async hasBlob(sha256) {
      const url = `${base}${apiPath('blobs', sha256)}`;
      const exchange = await transport.send({ method: 'HEAD', url, headers: auth, deadlines });
      exchange.cancel();
      if (exchange.status >= 200 && exchange.status < 300) return true;
      if (exchange.status === 404) return false;
      throw new ModmeshError(
        BODILESS_CODES[exchange.status] ?? 'MODMESH_REMOTE_BAD_STATUS',
        `${base} answered HEAD ${apiPath('blobs', sha256)} with HTTP ${exchange.status}`,
      );
    },
    fileUrl(name, version, path) {
      return `${base}${apiPath('remotes', name, 'releases', version, 'files')}/${path.split('/').map(encodeURIComponent).join('/')}`;
    },
    documentFileUrl(name, documentSha256, path) {
      return `${base}${apiPath('remotes', name, 'documents', documentSha256, 'files')}/${path.split('/').map(encodeURIComponent).join('/')}`;
    },
    async tufMetadata(file, maxBytes) {
      try {
        return await call({ method: 'GET', path: `${TUF_METADATA_PATH}/${encodeURIComponent(file)}`, maxBytes });
      } catch (error) {
        if (isModmeshError(error) && error.code === 'MODMESH_NOT_FOUND') return undefined;
        throw error;
      }
    },
    tufTarget(path, maxBytes) {
      const remote = path.split('/')[0];
      return call({ method: 'GET', path: `${TUF_TARGETS_PATH}/${path.split('/').map(encodeURIComponent).join('/')}`, maxBytes, remote });
    },
    remotes: () => callJson({ method: 'GET', path: apiPath('remotes') }),
    remote: (name) => callJson({ method: 'GET', path: apiPath('remotes', name), remote: name }),
    tags: (name) => callJson({ method: 'GET', path: apiPath('remotes', name, 'tags'), remote: name }),
    history(name, tag, limit) {
      const path = tag === undefined ? apiPath('remotes', name, 'history') : apiPath('remotes', name, 'tags', tag, 'history');
      return callJson({ method: 'GET', path: limit === undefined ? path : `${path}?limit=${limit}`, remote: name });
    },
    keys: (name) => callJson({ method: 'GET', path: apiPath('remotes', name, 'keys'), remote: name }),
    consumers: (remote) => callJson({ method: 'GET', path: remote === undefined ? apiPath('consumers') : apiPath('remotes', remote, 'consumers'), remote }),
    whoami: () => callJson({ method: 'GET', path: apiPath('whoami') }),
    report: (report) => callJson({ method: 'POST', path: apiPath('consumers'), body: report, deadlines: REPORT_DEADLINES }),
    async forget(instanceId) {
      await call({ method: 'DELETE', path: apiPath('consumers', instanceId), deadlines: REPORT_DEADLINES });
    },
    uploadBlob(name, sha256, bytes, keyId) {
      return callJson({
        method: 'PUT',
        path: apiPath('remotes', name, 'blobs', sha256),
        bytes,
        headers: keyId ? { [UPLOAD_KEY_HEADER]: keyId } : {},
        accept: [201],
        remote: name,
      });
    },
    publish: (name, request) => callJson({ method: 'POST', path: apiPath('remotes', name, 'releases'), body: request, accept: [201], remote: name }),
    moveTag: (name, tag, request) => callJson({ method: 'PUT', path: apiPath('remotes', name, 'tags', tag), body: request, remote: name }),
    rollback: (name, tag, request = {}) => callJson({ method: 'POST', path: apiPath('remotes', name, 'tags', tag, 'rollback'), body: request, remote: name }),
    addKey: (name, request) => callJson({ method: 'POST', path: apiPath('remotes', name, 'keys'), body: request, accept: [201], remote: name }),
    removeKey: (name, keyId) => callJson({ method: 'DELETE', path: apiPath('remotes', name, 'keys', keyId), remote: name }),
    createToken: (request) => callJson({ method: 'POST', path: apiPath('tokens'), body: request, accept: [201] }),
    health: () => callJson({ method: 'GET', path: '/health' }),
    releaseDocument: (name, version) => call({ method: 'GET', path: apiPath('remotes', name, 'releases', version, 'document'), remote: name }),
    pushRoot: (root) => callJson({ method: 'PUT', path: apiPath('tuf', 'roots', String(versionOf(root))), body: root }),
    pushTargets: (targets) => callJson({ method: 'PUT', path: apiPath('tuf', 'targets', String(versionOf(targets))), body: targets }),
    putTagsRole: (name, role) => callJson({ method: 'PUT', path: apiPath('remotes', name, 'tags'), body: role, remote: name }),
    putReleasesRole: (name, role) => callJson({ method: 'PUT', path: apiPath('remotes', name, 'releases'), body: role, remote: name }),
    tokens: () => callJson({ method: 'GET', path: apiPath('tokens') }),
    revokeToken: (id) => callJson({ method: 'DELETE', path: apiPath('tokens', id) }),
    audit(auditOptions = {}) {
      const query = new URLSearchParams();
      if (auditOptions.since !== undefined) query.set('since', auditOptions.since);
      if (auditOptions.limit !== undefined) query.set('limit', String(auditOptions.limit));
      const search = query.toString();
      return callJson({ method: 'GET', path: `${apiPath('audit')}${search ? `?${search}` : ''}` });
    },
  };
}

/**
 * A registry API path from its segments, each URL-encoded (a range such as `^1 || ^2` is one
 * segment): `apiPath('remotes', 'auth', 'resolve', '^1')` is `/v1/remotes/auth/resolve/%5E1`.
 */
export function apiPath(...segments: string[]): string {
  return `/v1/${segments.map(encodeURIComponent).join('/')}`;
}

/**
 * The registry's origin from a URL a user gave: http(s), and no path, query or fragment (the
 * API is below /v1 of the origin; a URL copied from a browser, `.../health`, would only ever
 * meet "no route" answers). MODMESH_CONFIG_INVALID otherwise, naming what to use.
 */
export function registryOrigin(url: string, source?: string): string {
  const named = `the registry URL ${JSON.stringify(url)}${source ? ` (${source})` : ''}`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', `${named} is not an http(s) URL`, {
      hint: 'Give the address the registry prints in its "listening" line, for example http://127.0.0.1:4000.',
    });
  }
  if (parsed.pathname.replace(/\/+$/, '') !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new ModmeshError(
      'MODMESH_CONFIG_INVALID',
      `${named} has a path (${parsed.pathname}${parsed.search}${parsed.hash}); it must be the registry's own address`,
      { hint: `Use ${parsed.origin}, as \`modmesh registry start\` prints it in its "listening" line.` },
    );
  }
  return parsed.origin;
}

// --- internal ---

function versionOf(envelope: TufEnvelope): number {
  return (envelope.signed as { version?: number }).version ?? 0;
}

const NOT_A_REGISTRY = 'Check that the URL is a modmesh registry and that it is healthy (its log says more); a proxy or another server answered.';

// Answers to HEAD carry no body to explain them: their status in the registry's own terms.
const BODILESS_CODES: Partial<Record<number, 'MODMESH_AUTH_REQUIRED' | 'MODMESH_FORBIDDEN' | 'MODMESH_RATE_LIMITED'>> = {
  401: 'MODMESH_AUTH_REQUIRED',
  403: 'MODMESH_FORBIDDEN',
  429: 'MODMESH_RATE_LIMITED',
};
