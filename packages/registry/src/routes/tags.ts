import { rollbackTarget } from '@modmesh/api';
import { ModmeshError } from '@modmesh/manifest';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth.js';
import type { EventHub } from '../events.js';
import type { RegistryMetrics } from '../metrics.js';
import { paramsSchema } from '../params.js';
import type { RegistryLimits } from '../rate-limit.js';
import type { MetadataStore, TagMove } from '../storage/types.js';
import { checkVersion, jsonObject, optionalString } from '../validate.js';

export interface TagRoutesOptions {
  metadata: MetadataStore;
  auth: Authenticator;
  hub: EventHub;
  metrics: RegistryMetrics;
  /** The write budgets these routes draw from. */
  limits: RegistryLimits;
}

// The audit log is read newest first, this many entries unless asked (`?limit=`), never more than the most.
const DEFAULT_HISTORY = 100;
const MAX_HISTORY = 1000;

type TagParams = { Params: { name: string; tag: string } };

/**
 * Tags: `GET /v1/remotes/:name/tags`, moving one with compare-and-swap (`PUT .../tags/:tag`),
 * rolling one back (`POST .../tags/:tag/rollback`), and the audit log (`GET .../tags/:tag/history`,
 * `GET /v1/remotes/:name/history`). Every move is announced on the event stream.
 */
export async function tagRoutes(app: FastifyInstance, options: TagRoutesOptions): Promise<void> {
  const { metadata, auth, hub, metrics, limits } = options;

  app.get<{ Params: { name: string } }>('/v1/remotes/:name/tags', { schema: { params: paramsSchema('name') } }, async function listTags(request) {
    return { tags: await metadata.getTags(request.params.name) };
  });

  app.put<TagParams>(
    '/v1/remotes/:name/tags/:tag',
    { config: limits.route('tagMoves'), schema: { params: paramsSchema('name', 'tag') } },
    async function moveTagTo(request) {
      const { name, tag } = request.params;
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
    },
  );

  app.post<TagParams>(
    '/v1/remotes/:name/tags/:tag/rollback',
    { config: limits.route('tagMoves'), schema: { params: paramsSchema('name', 'tag') } },
    async function rollbackTag(request) {
      const { name, tag } = request.params;
      auth.requireWrite(request.principal, name);
      const body = request.body === undefined ? {} : jsonObject(request.body);
      const current = (await metadata.getTags(name)).find((state) => state.tag === tag);
      if (!current) throw new ModmeshError('MODMESH_NOT_FOUND', `${name} has no tag ${tag}`, { remote: name });
      const target = rollbackTarget(await metadata.tagHistory(name, tag));
      if (!target) {
        throw new ModmeshError('MODMESH_NO_PREVIOUS_TARGET', `${name}@${tag} has no earlier target to roll back to`, {
          remote: name,
          version: current.version,
        });
      }
      const expect = body.expect === undefined ? current.version : checkVersion(body.expect, name);
      const reason = optionalString(body, 'reason') ?? `rollback from ${current.version}`;
      return moveTag({ name, tag, to: target, expect, kind: 'rollback', actor: request.principal.id, reason });
    },
  );

  app.get<TagParams>('/v1/remotes/:name/tags/:tag/history', { schema: { params: paramsSchema('name', 'tag') } }, async function tagHistory(request) {
    const { name, tag } = request.params;
    return { history: await metadata.tagHistory(name, tag, historyLimit(request)) };
  });

  app.get<{ Params: { name: string } }>('/v1/remotes/:name/history', { schema: { params: paramsSchema('name') } }, async function remoteHistory(request) {
    return { history: await metadata.tagHistory(request.params.name, undefined, historyLimit(request)) };
  });

  async function moveTag(request: Parameters<MetadataStore['moveTag']>[0]): Promise<TagMove> {
    const { move, event } = await metadata.moveTag(request);
    hub.publish([event]);
    metrics.tagMoves.inc({ kind: move.kind });
    return move;
  }
}

// The rule lives in @modmesh/api: the CLI proposes the same target in root mode.
export { rollbackTarget };

// --- internal ---

// Lenient on purpose: a bad ?limit= reads the default, a large one the most.
function historyLimit(request: FastifyRequest): number {
  const value = Number((request.query as { limit?: string }).limit ?? DEFAULT_HISTORY);
  return Number.isSafeInteger(value) && value > 0 ? Math.min(value, MAX_HISTORY) : DEFAULT_HISTORY;
}
