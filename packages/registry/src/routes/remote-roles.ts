import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import type { RegistryMetrics } from '../metrics.js';
import { paramsSchema } from '../params.js';
import type { RegistryLimits } from '../rate-limit.js';
import type { MetadataStore } from '../storage/types.js';
import { commitRoles } from '../tuf/remote-roles.js';
import type { TufEngine } from '../tuf/service.js';
import { ROLE_MAX_BYTES } from '../tuf/verify.js';
import type { Answers } from './answers.js';

export interface RemoteRoleRoutesOptions {
  auth: Authenticator;
  engine: TufEngine;
  metadata: MetadataStore;
  metrics: RegistryMetrics;
  limits: RegistryLimits;
}

const BODY_SLACK = 64 * 1024;

/**
 * A remote's signed roles in root mode (design 16 §4.1), each with a publish token for the remote
 * (or admin); the body is the role's next version as signed:
 * - `PUT /v1/remotes/:name/tags`: `R.tags` N+1, signed by a threshold of the remote's movers: tag
 *   moves and rollbacks (T1, T2, T4; `MODMESH_TAG_CONFLICT` when N is not the current version),
 *   and its adoption (v1 continues the legacy tags);
 * - `PUT /v1/remotes/:name/releases`: `R.releases` N+1 without a new release, signed by its
 *   publishers: adoption (v1 lists releases already published), renewal, withdrawal.
 */
export async function remoteRoleRoutes(app: FastifyInstance, options: RemoteRoleRoutesOptions): Promise<void> {
  const { auth, engine, metadata, metrics, limits } = options;
  const route = { bodyLimit: ROLE_MAX_BYTES + BODY_SLACK, schema: { params: paramsSchema('name') } };

  app.put<Answers<'PUT /v1/remotes/:name/tags'> & { Params: { name: string } }>(
    '/v1/remotes/:name/tags',
    { ...route, config: limits.route('tagMoves') },
    async function putTagsRole(request) {
      const { name } = request.params;
      auth.requireWrite(request.principal, name);
      const { tagsVersion, moves } = await commitRoles(engine, metadata, { remote: name, tags: request.body }, request.principal.id);
      for (const move of moves) metrics.tagMoves.inc({ kind: move.kind });
      return { name, tagsVersion, moves };
    },
  );

  app.put<Answers<'PUT /v1/remotes/:name/releases'> & { Params: { name: string } }>(
    '/v1/remotes/:name/releases',
    { ...route, config: limits.route('releases') },
    async function putReleasesRole(request) {
      const { name } = request.params;
      auth.requireWrite(request.principal, name);
      const { releasesVersion } = await commitRoles(engine, metadata, { remote: name, releases: request.body }, request.principal.id);
      return { name, releasesVersion };
    },
  );
}
