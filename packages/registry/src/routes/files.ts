import { ModmeshError } from '@modmesh/manifest';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BlobCache } from '../blob-cache.js';
import type { RegistryMetrics } from '../metrics.js';
import { paramsSchema } from '../params.js';
import type { BlobStore, MetadataStore } from '../storage/types.js';
import { contentTypeOf } from '../validate.js';

export interface FileRoutesOptions {
  metadata: MetadataStore;
  blobs: BlobStore;
  blobCache: BlobCache;
  metrics: RegistryMetrics;
}

// Release files never change: any cache, a CDN's included, may keep them for good.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const MAX_CACHED_FILE_LISTS = 1000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Release files: by their SHA-256 (`GET /v1/blobs/:sha256`, what a Node host fetches), and by
 * their path in a release (`GET /v1/remotes/:name/releases/:version/files/*`, what a browser
 * loads, because a container's chunks are found relative to its entry's URL; or
 * `GET /v1/remotes/:name/documents/:sha256/files/*`, the same without a token). Same bytes and
 * caching every way; the most requested ones are answered from memory.
 */
export async function fileRoutes(app: FastifyInstance, options: FileRoutesOptions): Promise<void> {
  const { metadata, blobs, blobCache, metrics } = options;
  // Immutable releases: their file lists never change once read.
  const fileLists = new Map<string, Map<string, string>>();

  app.get<{ Params: { sha256: string } }>('/v1/blobs/:sha256', async function getBlob(request, reply) {
    const { sha256 } = request.params;
    return sendBlob(reply, sha256, SHA256_HEX.test(sha256) ? undefined : null);
  });

  app.get<{ Params: { name: string; version: string; '*': string } }>(
    '/v1/remotes/:name/releases/:version/files/*',
    { schema: { params: paramsSchema('name', 'version') } },
    async function getReleaseFile(request, reply) {
      const { name, version, '*': file } = request.params;
      const files = await releaseFiles(name, version);
      const sha256 = files.get(file);
      if (!sha256) throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${version} has no file ${file.slice(0, 200)}`, { remote: name, version });
      return sendBlob(reply, sha256, file);
    },
  );

  // A page's <script> cannot send a token, so on a registry that requires one for reads a browser
  // loads a release's files under the SHA-256 of its signed release document instead. Only a
  // reader learns that hash (the remote's TUF roles list it), so the URL is the capability, for
  // that one release only; the bytes are the same, checked by the page against the signed manifest.
  app.get<{ Params: { name: string; sha256: string; '*': string } }>(
    '/v1/remotes/:name/documents/:sha256/files/*',
    { config: { publicRead: true }, schema: { params: paramsSchema('name') } },
    async function getDocumentFile(request, reply) {
      const { name, sha256, '*': file } = request.params;
      const document = SHA256_HEX.test(sha256) ? await metadata.releaseDocumentByHash(name, sha256) : undefined;
      if (!document) throw new ModmeshError('MODMESH_NOT_FOUND', `${name} has no release document with SHA-256 ${sha256.slice(0, 80)}`, { remote: name });
      const files = await releaseFiles(name, document.version);
      const blob = files.get(file);
      if (!blob)
        throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${document.version} has no file ${file.slice(0, 200)}`, {
          remote: name,
          version: document.version,
        });
      return sendBlob(reply, blob, file);
    },
  );

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
  async function sendBlob(reply: FastifyReply, sha256: string, path: string | undefined | null): Promise<FastifyReply> {
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
}
