import { createHash, type KeyObject } from 'node:crypto';
import type { Readable } from 'node:stream';
import { canonicalJson, formatPublicKey, keyIdOf, ModmeshError, parsePublicKey, verifyRelease } from '@modmesh/manifest';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import semver from 'semver';
import { type Authenticator, createAuthenticator, type Principal } from './auth.js';
import { createBlobCache } from './blob-cache.js';
import { type ConsumerRegistry, type ConsumerStore, createConsumerRegistry } from './consumers.js';
import { registerDashboard } from './dashboard.js';
import { createEventHub, type EventHub } from './events.js';
import { FRAMEWORK_ERROR_OPTIONS, toHttpError } from './http-errors.js';
import { createMetrics, type RegistryMetrics } from './metrics.js';
import { createRegistryLimits, type RateLimitOptions } from './rate-limit.js';
import type { BlobStore, MetadataStore, TagMove } from './storage/types.js';
import { checkName, checkTag, checkVersion, contentTypeOf, jsonObject, optionalString, parseSpec } from './validate.js';

export interface RegistryAppOptions {
  metadata: MetadataStore;
  blobs: BlobStore;
  /** Where hosts' reports are kept; shared by replicas on PostgreSQL. @default in memory */
  consumers?: ConsumerStore;
  adminToken: string;
  /** Reads need a token too. @default false */
  requireReadToken?: boolean;
  /** Largest release file accepted. @default 32 MiB */
  maxFileBytes?: number;
  /** Largest JSON body (a signed manifest) accepted. @default 1 MiB */
  maxJsonBytes?: number;
  /** Memory for serving the most requested release files without touching the disk; 0 turns it off. @default 64 MiB */
  blobCacheBytes?: number;
  /** Fastify's logger: false in tests, pino options in the server. @default false */
  logger?: boolean | Record<string, unknown>;
  /** Budgets for writes per publish token and for unknown tokens per client address (see rate-limit.ts); false turns them off. @default DEFAULT_RATE_LIMITS */
  rateLimit?: RateLimitOptions | false;
}

export interface RegistryApp {
  app: FastifyInstance;
  hub: EventHub;
  metrics: RegistryMetrics;
  auth: Authenticator;
  consumers: ConsumerRegistry;
}

const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;
const DEFAULT_BLOB_CACHE_BYTES = 64 * 1024 * 1024;
// Every file of a release is re-read and re-hashed before the release becomes visible; this
// many at a time.
const VERIFY_CONCURRENCY = 8;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const MAX_CACHED_FILE_LISTS = 1000;
/** The key a publisher will sign the release with, declared when uploading its files (see checkUploadKey). */
const UPLOAD_KEY_HEADER = 'x-modmesh-key-id';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/**
 * The registry's HTTP API (see packages/registry/README.md). Storage is passed in; nothing here
 * touches the file system or the network by itself.
 */
export async function createRegistryApp(options: RegistryAppOptions): Promise<RegistryApp> {
  const { metadata, blobs } = options;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const auth = createAuthenticator({ metadata, adminToken: options.adminToken, requireReadToken: options.requireReadToken ?? false });
  const hub = createEventHub(metadata, { onError: (error) => app.log.warn({ err: error }, 'event delivery: storage unavailable, retrying') });
  const metrics = createMetrics(() => hub.clients());
  const consumers = createConsumerRegistry(options.consumers);
  const blobCache = createBlobCache(options.blobCacheBytes ?? DEFAULT_BLOB_CACHE_BYTES);
  const limits = createRegistryLimits(options.rateLimit);
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES, ...FRAMEWORK_ERROR_OPTIONS });

  await hub.start();
  app.decorateRequest('principal', null as never);
  // Release files are streamed straight into the blob store, which counts and hashes them.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.addHook('onRequest', async function identify(request, reply) {
    request.principal = await limits.identify(request, reply, (authorization) => auth.identify(authorization));
    // Before the body is read: a refused upload is never streamed to disk.
    limits.checkWrite(request, reply);
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (request.url !== '/health' && request.url !== '/metrics' && !request.routeOptions.config.publicPage) auth.requireRead(request.principal);
    }
  });
  app.addHook('onResponse', async function measure(request, reply) {
    metrics.requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  // Browsers load release files and resolve remotes from other origins (a web shell on its own
  // port). Reads are public data, and a bearer token is not an ambient credential, so any origin
  // may read; writes other than a consumer's report stay same-origin (the dashboard).
  app.addHook('onSend', async function cors(request, reply) {
    if (request.method === 'GET' || request.method === 'HEAD' || request.url.startsWith('/v1/consumers')) {
      if (request.url.startsWith('/v1/')) reply.header('access-control-allow-origin', '*');
    }
  });
  app.setErrorHandler(function errorHandler(error, request, reply) {
    const { status, body, internal } = toHttpError(error);
    if (internal) request.log.error({ err: error }, 'internal error');
    reply.status(status).send(body);
  });
  app.setNotFoundHandler(function notFound(request, reply) {
    const route = `${request.method} ${request.url.split('?')[0]}`;
    const hint = "The registry's API is below /v1 (packages/registry/README.md): check that the client's registry URL is the registry's address, with no path.";
    reply.status(404).send({ error: new ModmeshError('MODMESH_NOT_FOUND', `no route ${route} at this registry`, { hint }).toJSON() });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  registerDashboard(app);

  // --- reads ---

  app.get('/v1/remotes', async () => ({ remotes: await metadata.listRemotes() }));

  app.get('/v1/remotes/:name', async (request) => {
    const name = checkName(param(request, 'name'));
    const [versions, tags, keys] = await Promise.all([metadata.listVersions(name), metadata.getTags(name), metadata.publisherKeys(name)]);
    if (versions.length === 0 && keys.length === 0) throw unknownRemote(name);
    return { name, versions, tags, keys: keys.map(({ keyId, publicKey, label, addedAt }) => ({ keyId, publicKey, label, addedAt })) };
  });

  app.get('/v1/remotes/:name/resolve/:spec', async (request) => {
    const name = checkName(param(request, 'name'));
    const spec = parseSpec(param(request, 'spec'), name);
    let version: string;
    let tag: { name: string; seq: number; updatedAt: string; kind: TagMove['kind'] } | undefined;
    if (spec.kind === 'tag') {
      const state = (await metadata.getTags(name)).find((candidate) => candidate.tag === spec.tag);
      if (!state) {
        await requireKnownRemote(name);
        throw new ModmeshError('MODMESH_NOT_FOUND', `${name} has no tag ${spec.tag}`, {
          remote: name,
          hint: `See its tags with \`modmesh ls ${name}\`; a tag is made by \`modmesh tag set\` or \`modmesh publish --tag\`.`,
        });
      }
      version = state.version;
      // Whether the tag's last move was a rollback: a host accepts a tag going to an older
      // version only then, and refuses it as a replay otherwise.
      const [lastMove] = await metadata.tagHistory(name, spec.tag, 1);
      tag = { name: state.tag, seq: state.seq, updatedAt: state.updatedAt, kind: lastMove?.kind ?? 'move' };
    } else if (spec.kind === 'range') {
      const versions = (await metadata.listVersions(name)).map((entry) => entry.version);
      const best = semver.maxSatisfying(versions, spec.range);
      if (!best && versions.length === 0) await requireKnownRemote(name);
      if (!best)
        throw new ModmeshError('MODMESH_RANGE_UNSATISFIED', `no release of ${name} satisfies ${spec.range} (published: ${versions.join(', ') || 'none'})`, {
          remote: name,
        });
      version = best;
    } else {
      version = spec.version;
    }
    const release = await metadata.getRelease(name, version);
    if (!release) {
      await requireKnownRemote(name);
      throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${version} is not published`, { remote: name, version });
    }
    const include = (request.query as { include?: string }).include === 'release';
    return { name, spec: param(request, 'spec'), version, ...(tag && { tag }), ...(include && { release: signedRelease(release) }) };
  });

  app.get('/v1/remotes/:name/releases/:version', async (request) => {
    const name = checkName(param(request, 'name'));
    const version = checkVersion(param(request, 'version'), name);
    const release = await metadata.getRelease(name, version);
    if (!release) throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${version} is not published`, { remote: name, version });
    return signedRelease(release);
  });

  app.get('/v1/blobs/:sha256', async (request, reply) => {
    const sha256 = param(request, 'sha256');
    return sendBlob(reply, sha256, /^[0-9a-f]{64}$/.test(sha256) ? undefined : null);
  });

  // A release's files by their path in it: what a browser loads, because a container's chunks
  // are found relative to its entry's URL. Same bytes and caching as /v1/blobs.
  app.get('/v1/remotes/:name/releases/:version/files/*', async (request, reply) => {
    const name = checkName(param(request, 'name'));
    const version = checkVersion(param(request, 'version'), name);
    const file = param(request, '*');
    const files = await releaseFiles(name, version);
    const sha256 = files.get(file);
    if (!sha256) throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${version} has no file ${file.slice(0, 200)}`, { remote: name, version });
    return sendBlob(reply, sha256, file);
  });

  // A remote exists once a publisher key is registered for it or a release is published: asking
  // anything of one that does not gets told so, not that a tag or version is missing.
  async function requireKnownRemote(name: string): Promise<void> {
    const [versions, keys] = await Promise.all([metadata.listVersions(name), metadata.publisherKeys(name)]);
    if (versions.length === 0 && keys.length === 0) throw unknownRemote(name);
  }

  // Immutable releases: their file lists never change once read.
  const fileLists = new Map<string, Map<string, string>>();
  async function releaseFiles(name: string, version: string): Promise<Map<string, string>> {
    const key = `${name}@${version}`;
    const known = fileLists.get(key);
    if (known) return known;
    const release = await metadata.getRelease(name, version);
    if (!release) throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${version} is not published`, { remote: name, version });
    const files = new Map((JSON.parse(release.manifest) as { files: { path: string; sha256: string }[] }).files.map((entry) => [entry.path, entry.sha256]));
    if (fileLists.size >= MAX_CACHED_FILE_LISTS) fileLists.clear();
    fileLists.set(key, files);
    return files;
  }

  // `path` names the file for its content type; null: not a valid hash, so nothing to find.
  async function sendBlob(reply: FastifyReply, sha256: string, path: string | undefined | null) {
    const cached = path === null ? undefined : blobCache.get(sha256);
    const size = cached?.bytes.length ?? (path === null ? undefined : await blobs.size(sha256));
    const stream = cached || size === undefined ? undefined : await blobs.open(sha256);
    if (!cached && !stream) throw new ModmeshError('MODMESH_NOT_FOUND', `no file with SHA-256 ${sha256.slice(0, 80)}`);
    metrics.blobBytesServed.inc(size ?? 0);
    reply
      .header('cache-control', IMMUTABLE)
      .header('etag', `"${sha256}"`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('content-length', String(size));
    if (cached) return reply.type(cached.contentType).send(cached.bytes);
    const contentType = contentTypeOf(path ?? (await metadata.pathOfBlob(sha256)));
    if (!stream || !blobCache.fits(size ?? Number.POSITIVE_INFINITY)) return reply.type(contentType).send(stream);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    blobCache.set(sha256, { bytes, contentType });
    return reply.type(contentType).send(bytes);
  }

  // --- publishing ---

  app.put('/v1/remotes/:name/blobs/:sha256', { bodyLimit: maxFileBytes, config: { rateLimit: 'blobUploads' } }, async (request, reply) => {
    const name = checkName(param(request, 'name'));
    auth.requireWrite(request.principal, name);
    await checkUploadKey(name, request.headers[UPLOAD_KEY_HEADER]);
    const sha256 = param(request, 'sha256');
    if (!/^[0-9a-f]{64}$/.test(sha256))
      throw new ModmeshError('MODMESH_BAD_REQUEST', 'a blob is addressed by its SHA-256: 64 lowercase hex digits', { remote: name });
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxFileBytes)
      throw new ModmeshError('MODMESH_BODY_TOO_LARGE', `${declared} bytes is over the ${maxFileBytes}-byte file limit`, { remote: name });
    const body = request.body as Readable | undefined;
    if (!body || typeof (body as Readable).pipe !== 'function') {
      throw new ModmeshError('MODMESH_BAD_REQUEST', 'upload a file as content-type application/octet-stream', { remote: name });
    }
    const { size, created } = await blobs.put(sha256, body, { maxBytes: maxFileBytes });
    if (created) metrics.blobBytesStored.inc(size);
    return reply.status(created ? 201 : 200).send({ sha256, size, created });
  });

  // A publish whose key is not trusted for the remote is refused before any of its files is
  // stored: a remote nobody registered a key for takes no files, and an upload that declares its
  // signing key (modmesh publish does) is refused when that key is not registered for the remote.
  async function checkUploadKey(name: string, declared: string | string[] | undefined): Promise<void> {
    const keys = await metadata.publisherKeys(name);
    if (keys.length === 0) {
      throw new ModmeshError(
        'MODMESH_KEY_NOT_TRUSTED',
        `no publisher key is registered for ${name}, so no release of it can be published; nothing was stored`,
        {
          remote: name,
          hint: `Register the publisher's public key first: modmesh trust add ${name} <public key file> (admin token).`,
        },
      );
    }
    if (typeof declared === 'string' && !keys.some((key) => key.keyId === declared)) {
      throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `key ${declared.slice(0, 64)} is not registered for ${name}; nothing was stored`, {
        remote: name,
        hint: `Have an admin register its public key: modmesh trust add ${name} <your .pub file>.`,
      });
    }
  }

  app.post('/v1/remotes/:name/releases', { config: { rateLimit: 'releases' } }, async (request, reply) => {
    const name = checkName(param(request, 'name'));
    auth.requireWrite(request.principal, name);
    try {
      const result = await publish(name, jsonObject(request.body), request.principal);
      metrics.publishes.inc({ result: 'published' });
      return reply.status(201).send(result);
    } catch (error) {
      metrics.publishes.inc({ result: (error as ModmeshError).code ?? 'MODMESH_INTERNAL' });
      throw error;
    }
  });

  async function publish(name: string, body: Record<string, unknown>, principal: Principal) {
    const raw = (body.manifest ?? {}) as { name?: unknown; version?: unknown };
    if (raw.name !== name) checkName(raw.name);
    if (raw.name !== name)
      throw new ModmeshError('MODMESH_MANIFEST_MISMATCH', `the manifest is for ${String(raw.name)}, published to ${name}`, { remote: name });
    const version = checkVersion(raw.version, name);
    const tag = optionalString(body, 'tag', 64);
    if (tag !== undefined) checkTag(tag, name);
    const reason = optionalString(body, 'reason') ?? `published ${version}`;

    const keys = await metadata.publisherKeys(name);
    if (keys.length === 0) {
      throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `no publisher key is registered for ${name}`, {
        remote: name,
        version,
        hint: `Register the publisher's public key first: modmesh trust add ${name} <public key file> (admin token).`,
      });
    }
    const trusted = new Map<string, KeyObject>(keys.map((key) => [key.keyId, parsePublicKey(key.publicKey)]));
    const manifest = verifyRelease({ manifest: body.manifest, signature: body.signature }, { trusted, expect: { name, version } });
    await checkFilesStored(manifest.files, name, version);

    const events = await metadata.insertRelease({
      name,
      version,
      manifest: canonicalJson(manifest),
      signature: body.signature as { algorithm: 'ed25519'; keyId: string; value: string },
      publishedAt: new Date().toISOString(),
      publishedBy: principal.id,
      files: manifest.files,
      ...(tag && { tag: { name: tag, reason } }),
    });
    hub.publish(events);
    if (tag) metrics.tagMoves.inc({ kind: 'move' });
    return { name, version, files: manifest.files.length, ...(tag && { tag }) };
  }

  // Every file must be stored, complete, and still hash to what the signed manifest says.
  async function checkFilesStored(files: { path: string; size: number; sha256: string }[], remote: string, version: string): Promise<void> {
    const queue = [...files];
    const worker = async (): Promise<void> => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const stream = await blobs.open(file.sha256);
        if (!stream) {
          throw new ModmeshError('MODMESH_FILE_MISSING', `${remote}@${version}: ${file.path} (${file.sha256}) was not uploaded`, {
            remote,
            version,
            file: file.path,
          });
        }
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of stream) {
          size += (chunk as Buffer).length;
          hash.update(chunk as Buffer);
        }
        if (size !== file.size || hash.digest('hex') !== file.sha256) {
          throw new ModmeshError('MODMESH_HASH_MISMATCH', `${remote}@${version}: stored bytes of ${file.path} do not match its size and SHA-256`, {
            remote,
            version,
            file: file.path,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(VERIFY_CONCURRENCY, files.length) }, worker));
  }

  // --- tags ---

  app.get('/v1/remotes/:name/tags', async (request) => {
    const name = checkName(param(request, 'name'));
    return { tags: await metadata.getTags(name) };
  });

  app.put('/v1/remotes/:name/tags/:tag', { config: { rateLimit: 'tagMoves' } }, async (request) => {
    const name = checkName(param(request, 'name'));
    const tag = checkTag(param(request, 'tag'), name);
    auth.requireWrite(request.principal, name);
    const body = jsonObject(request.body);
    const version = checkVersion(body.version, name);
    if (!('expect' in body)) {
      throw new ModmeshError('MODMESH_BAD_REQUEST', '"expect" is required: the version the tag points at now, or null to create it (compare-and-swap)', {
        remote: name,
      });
    }
    const expect = body.expect === null ? null : checkVersion(body.expect, name);
    const reason = optionalString(body, 'reason') ?? '';
    return moveTag({ name, tag, to: version, expect, kind: 'move', actor: request.principal.id, reason });
  });

  app.post('/v1/remotes/:name/tags/:tag/rollback', { config: { rateLimit: 'tagMoves' } }, async (request) => {
    const name = checkName(param(request, 'name'));
    const tag = checkTag(param(request, 'tag'), name);
    auth.requireWrite(request.principal, name);
    const body = request.body === undefined ? {} : jsonObject(request.body);
    const current = (await metadata.getTags(name)).find((state) => state.tag === tag);
    if (!current) throw new ModmeshError('MODMESH_NOT_FOUND', `${name} has no tag ${tag}`, { remote: name });
    const target = rollbackTarget(await metadata.tagHistory(name, tag));
    if (!target) {
      throw new ModmeshError('MODMESH_NO_PREVIOUS_TARGET', `${name}@${tag} has no earlier target to roll back to`, { remote: name, version: current.version });
    }
    const expect = body.expect === undefined ? current.version : checkVersion(body.expect, name);
    const reason = optionalString(body, 'reason') ?? `rollback from ${current.version}`;
    return moveTag({ name, tag, to: target, expect, kind: 'rollback', actor: request.principal.id, reason });
  });

  async function moveTag(request: Parameters<MetadataStore['moveTag']>[0]) {
    const { move, event } = await metadata.moveTag(request);
    hub.publish([event]);
    metrics.tagMoves.inc({ kind: move.kind });
    return move;
  }

  app.get('/v1/remotes/:name/tags/:tag/history', async (request) => {
    const name = checkName(param(request, 'name'));
    const tag = checkTag(param(request, 'tag'), name);
    return { history: await metadata.tagHistory(name, tag, limit(request)) };
  });

  app.get('/v1/remotes/:name/history', async (request) => {
    const name = checkName(param(request, 'name'));
    return { history: await metadata.tagHistory(name, undefined, limit(request)) };
  });

  app.get('/v1/events', (request, reply) => hub.serve(request, reply));

  // --- consumers: which host runs which release ---

  app.post('/v1/consumers', async (request) => {
    auth.requireRead(request.principal);
    const consumer = await consumers.report(jsonObject(request.body));
    return { instanceId: consumer.instanceId, lastSeen: consumer.lastSeen };
  });

  app.options('/v1/consumers', async (_request, reply) =>
    reply
      .status(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type, authorization')
      .header('access-control-max-age', '600')
      .send(),
  );

  app.delete('/v1/consumers/:instanceId', async (request) => {
    auth.requireRead(request.principal);
    await consumers.remove(param(request, 'instanceId'));
    return { removed: true };
  });

  app.get('/v1/consumers', async () => ({ consumers: await consumers.list() }));

  app.get('/v1/remotes/:name/consumers', async (request) => {
    const name = checkName(param(request, 'name'));
    return { consumers: await consumers.list(name) };
  });

  // --- administration ---

  app.post('/v1/remotes/:name/keys', async (request, reply) => {
    const name = checkName(param(request, 'name'));
    auth.requireAdmin(request.principal);
    const body = jsonObject(request.body);
    const publicKey = optionalString(body, 'publicKey', 4096);
    if (!publicKey) throw new ModmeshError('MODMESH_BAD_REQUEST', '"publicKey" is required (ed25519:<base64url> or an SPKI PEM)', { remote: name });
    const key = parsePublicKey(publicKey);
    const keyId = keyIdOf(key);
    const label = optionalString(body, 'label', 200) ?? '';
    // Stored and shown in the one canonical form, never as the text that was sent.
    await metadata.addPublisherKey({ name, keyId, publicKey: formatPublicKey(key), label, addedAt: new Date().toISOString(), addedBy: request.principal.id });
    return reply.status(201).send({ name, keyId });
  });

  app.get('/v1/remotes/:name/keys', async (request) => {
    const name = checkName(param(request, 'name'));
    return { keys: (await metadata.publisherKeys(name)).map(({ keyId, publicKey, label, addedAt }) => ({ keyId, publicKey, label, addedAt })) };
  });

  app.delete('/v1/remotes/:name/keys/:keyId', async (request) => {
    const name = checkName(param(request, 'name'));
    auth.requireAdmin(request.principal);
    const keyId = param(request, 'keyId');
    if (!(await metadata.removePublisherKey(name, keyId)))
      throw new ModmeshError('MODMESH_NOT_FOUND', `${name} has no key ${keyId.slice(0, 64)}`, { remote: name });
    return { name, keyId, removed: true };
  });

  app.post('/v1/tokens', async (request, reply) => {
    auth.requireAdmin(request.principal);
    const body = jsonObject(request.body);
    const role = body.role ?? 'publish';
    if (role !== 'publish' && role !== 'read') throw new ModmeshError('MODMESH_BAD_REQUEST', '"role" must be "publish" or "read"');
    const remote = role === 'publish' ? checkName(body.remote) : null;
    const label = optionalString(body, 'label', 200) ?? '';
    const { token, id } = await auth.createToken(role, remote, label);
    return reply.status(201).send({ token, id, role, remote });
  });

  // Before the server stops accepting: open event streams would otherwise keep close() waiting.
  app.addHook('preClose', async () => hub.close());
  return { app, hub, metrics, auth, consumers };
}

// --- internal ---

function unknownRemote(name: string): ModmeshError {
  return new ModmeshError('MODMESH_NOT_FOUND', `there is no remote named ${name} at this registry`, {
    remote: name,
    hint: '`modmesh ls` lists the remotes it has. A remote appears once an admin registers its publisher key (`modmesh trust add`).',
  });
}

function param(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string>)[name] ?? '';
}

function limit(request: FastifyRequest): number {
  const value = Number((request.query as { limit?: string }).limit ?? 100);
  return Number.isSafeInteger(value) && value > 0 ? Math.min(value, 1000) : 100;
}

function signedRelease(release: { manifest: string; signature: unknown; publishedAt: string; publishedBy: string }) {
  return { manifest: JSON.parse(release.manifest), signature: release.signature, publishedAt: release.publishedAt, publishedBy: release.publishedBy };
}

/**
 * Where a rollback takes a tag: back over the newest move that has not been rolled back yet.
 * Each rollback undoes one move, so repeated rollbacks walk back through the history
 * (1.2 → 1.1 → 1.0) instead of bouncing between the last two versions.
 */
export function rollbackTarget(history: TagMove[]): string | null {
  let undone = 0;
  for (const move of history) {
    if (move.kind === 'rollback') {
      undone += 1;
      continue;
    }
    if (undone > 0) {
      undone -= 1;
      continue;
    }
    return move.from;
  }
  return null;
}
