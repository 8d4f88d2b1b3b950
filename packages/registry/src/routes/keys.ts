import { formatPublicKey, keyIdOf, ModmeshError, parsePublicKey } from '@modmesh/manifest';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import { paramsSchema } from '../params.js';
import type { MetadataStore } from '../storage/types.js';
import { jsonObject, optionalString } from '../validate.js';
import type { Answers } from './answers.js';

export interface KeyRoutesOptions {
  metadata: MetadataStore;
  auth: Authenticator;
}

// A PEM public key is a few hundred characters; anything far longer is not one.
const MAX_PUBLIC_KEY_LENGTH = 4096;
const MAX_LABEL_LENGTH = 200;

type NameParams = { Params: { name: string } };

/**
 * Who may publish what in legacy mode: a remote's publisher keys (`POST`, `GET /v1/remotes/:name/keys`,
 * `DELETE .../keys/:keyId`). Changes need the admin token; tokens are in tokens.ts.
 */
export async function keyRoutes(app: FastifyInstance, options: KeyRoutesOptions): Promise<void> {
  const { metadata, auth } = options;

  app.post<Answers<'POST /v1/remotes/:name/keys'> & NameParams>(
    '/v1/remotes/:name/keys',
    { schema: { params: paramsSchema('name') } },
    async function addKey(request, reply) {
      const { name } = request.params;
      auth.requireAdmin(request.principal);
      const body = jsonObject(request.body);
      const publicKey = optionalString(body, 'publicKey', MAX_PUBLIC_KEY_LENGTH);
      if (!publicKey) throw new ModmeshError('MODMESH_BAD_REQUEST', '"publicKey" is required (ed25519:<base64url> or an SPKI PEM)', { remote: name });
      const key = parsePublicKey(publicKey);
      const keyId = keyIdOf(key);
      const label = optionalString(body, 'label', MAX_LABEL_LENGTH) ?? '';
      // Stored and shown in the one canonical form, never as the text that was sent.
      await metadata.addPublisherKey({ name, keyId, publicKey: formatPublicKey(key), label, addedAt: new Date().toISOString(), addedBy: request.principal.id });
      reply.status(201);
      return { name, keyId };
    },
  );

  app.get<Answers<'GET /v1/remotes/:name/keys'> & NameParams>(
    '/v1/remotes/:name/keys',
    { schema: { params: paramsSchema('name') } },
    async function listKeys(request) {
      const keys = await metadata.publisherKeys(request.params.name);
      return { keys: keys.map(({ keyId, publicKey, label, addedAt }) => ({ keyId, publicKey, label, addedAt })) };
    },
  );

  app.delete<Answers<'DELETE /v1/remotes/:name/keys/:keyId'> & { Params: { name: string; keyId: string } }>(
    '/v1/remotes/:name/keys/:keyId',
    { schema: { params: paramsSchema('name') } },
    async function removeKey(request) {
      const { name, keyId } = request.params;
      auth.requireAdmin(request.principal);
      if (!(await metadata.removePublisherKey(name, keyId)))
        throw new ModmeshError('MODMESH_NOT_FOUND', `${name} has no key ${keyId.slice(0, 64)}`, { remote: name });
      return { name, keyId, removed: true };
    },
  );
}
