import { ModmeshError } from '@modmesh/manifest';
import { ROOT_MAX_BYTES } from '@modmesh/trust';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import { pushRoot, pushTargets } from '../tuf/push.js';
import type { TufEngine } from '../tuf/service.js';
import { ROLE_MAX_BYTES } from '../tuf/verify.js';
import type { Answers } from './answers.js';

export interface TrustAdminRoutesOptions {
  auth: Authenticator;
  engine: TufEngine;
}

const VERSION = /^[1-9][0-9]{0,15}$/;
// Room for JSON whitespace around a document at its cap.
const BODY_SLACK = 64 * 1024;

/**
 * The offline-signed documents, pushed with the admin token (design 16 §4.1):
 * `PUT /v1/tuf/roots/:version` (the first root, or the next by the rotation rule) and
 * `PUT /v1/tuf/targets/:version` (the next targets, signed by a threshold of the root's targets
 * keys). Each is followed by a new snapshot and timestamp, in the same transaction.
 */
export async function trustAdminRoutes(app: FastifyInstance, options: TrustAdminRoutesOptions): Promise<void> {
  const { auth, engine } = options;

  app.put<Answers<'PUT /v1/tuf/roots/:version'> & { Params: { version: string } }>(
    '/v1/tuf/roots/:version',
    { bodyLimit: ROOT_MAX_BYTES + BODY_SLACK },
    async function putRoot(request) {
      auth.requireAdmin(request.principal);
      return pushRoot(engine, request.body, versionOf(request.params.version, 'root'), request.principal.id);
    },
  );

  app.put<Answers<'PUT /v1/tuf/targets/:version'> & { Params: { version: string } }>(
    '/v1/tuf/targets/:version',
    { bodyLimit: ROLE_MAX_BYTES + BODY_SLACK },
    async function putTargets(request) {
      auth.requireAdmin(request.principal);
      return pushTargets(engine, request.body, versionOf(request.params.version, 'targets'), request.principal.id);
    },
  );
}

// --- internal ---

function versionOf(text: string, role: string): number {
  if (!VERSION.test(text))
    throw new ModmeshError('MODMESH_BAD_REQUEST', `${JSON.stringify(text.slice(0, 20))} is not a ${role} version (a whole number from 1)`);
  return Number(text);
}
