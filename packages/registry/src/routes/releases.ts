import type { Readable } from 'node:stream';
import { UPLOAD_KEY_HEADER } from '@modmesh/api';
import { type ErrorCode, isModmeshError, ModmeshError } from '@modmesh/manifest';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import type { RegistryMetrics } from '../metrics.js';
import { paramsSchema } from '../params.js';
import type { Publisher } from '../publish.js';
import type { RegistryLimits } from '../rate-limit.js';
import type { BlobStore } from '../storage/types.js';
import { jsonObject } from '../validate.js';
import type { Answers } from './answers.js';

export interface ReleaseRoutesOptions {
  blobs: BlobStore;
  auth: Authenticator;
  publisher: Publisher;
  metrics: RegistryMetrics;
  /** The write budgets these routes draw from. */
  limits: RegistryLimits;
  /** Largest release file accepted. */
  maxFileBytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Publishing: `PUT /v1/remotes/:name/blobs/:sha256` stores one release file (streamed into the
 * blob store, which counts and hashes it), `POST /v1/remotes/:name/releases` publishes a signed
 * release whose files are all stored.
 */
export async function releaseRoutes(app: FastifyInstance, options: ReleaseRoutesOptions): Promise<void> {
  const { blobs, auth, publisher, metrics, limits, maxFileBytes } = options;
  // Release files are streamed straight into the blob store; only these routes take raw bytes.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.put<Answers<'PUT /v1/remotes/:name/blobs/:sha256'> & { Params: { name: string; sha256: string } }>(
    '/v1/remotes/:name/blobs/:sha256',
    { bodyLimit: maxFileBytes, config: limits.route('blobUploads'), schema: { params: paramsSchema('name') } },
    async function uploadBlob(request, reply) {
      const { name, sha256 } = request.params;
      auth.requireWrite(request.principal, name);
      await publisher.checkUploadKey(name, request.headers[UPLOAD_KEY_HEADER]);
      if (!SHA256_HEX.test(sha256))
        throw new ModmeshError('MODMESH_BAD_REQUEST', 'a blob is addressed by its SHA-256: 64 lowercase hex digits', { remote: name });
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > maxFileBytes)
        throw new ModmeshError('MODMESH_BODY_TOO_LARGE', `${declared} bytes is over the ${maxFileBytes}-byte file limit`, { remote: name });
      const body = request.body as Readable | undefined;
      if (!body || typeof body.pipe !== 'function') {
        throw new ModmeshError('MODMESH_BAD_REQUEST', 'upload a file as content-type application/octet-stream', { remote: name });
      }
      const { size, created } = await blobs.put(sha256, body, { maxBytes: maxFileBytes });
      if (created) metrics.blobBytesStored.inc(size);
      reply.status(created ? 201 : 200);
      return { sha256, size, created };
    },
  );

  app.post<Answers<'POST /v1/remotes/:name/releases'> & { Params: { name: string } }>(
    '/v1/remotes/:name/releases',
    { config: limits.route('releases'), schema: { params: paramsSchema('name') } },
    async function publishRelease(request, reply) {
      const { name } = request.params;
      auth.requireWrite(request.principal, name);
      try {
        const result = await publisher.publish(name, jsonObject(request.body), request.principal);
        metrics.publishes.inc({ result: 'published' });
        reply.status(201);
        return result;
      } catch (error) {
        metrics.publishes.inc({ result: resultOf(error) });
        throw error;
      }
    },
  );
}

// --- internal ---

function resultOf(error: unknown): ErrorCode {
  return isModmeshError(error) ? error.code : 'MODMESH_INTERNAL';
}
