import type { ResolvedTag, SignedReleaseRecord } from '@modmesh/api';
import { ModmeshError } from '@modmesh/manifest';
import type { FastifyInstance, FastifyReply } from 'fastify';
import semver from 'semver';
import type { EventHub } from '../events.js';
import { paramsSchema } from '../params.js';
import { createAnswerCache } from '../resolve-cache.js';
import type { MetadataStore, StoredRelease } from '../storage/types.js';
import { releaseListing, requireListed } from '../tuf/listing.js';
import { parseSpec } from '../validate.js';
import { type Answers, type RouteAnswers, sendJsonText } from './answers.js';

export interface ReadRoutesOptions {
  metadata: MetadataStore;
  /** Resolve answers are kept in memory until it publishes (resolve-cache.ts). */
  hub: Pick<EventHub, 'onPublish'>;
}

// A remote with a signed releases role offers only what it lists (tuf/listing.ts): the listing
// leaves out withdrawn versions, resolve never picks one and refuses one asked for exactly, and
// the release itself is refused. Resolve answers are dropped at every publish, and a role commit
// publishes (a `tuf.updated` event), so a withdrawal reaches them at once.

/**
 * What is published: `GET /v1/remotes`, `GET /v1/remotes/:name`, resolving a spec (a version, a
 * range or a tag) to a version with `GET /v1/remotes/:name/resolve/:spec`, and a signed release
 * with `GET /v1/remotes/:name/releases/:version`.
 */
export async function readRoutes(app: FastifyInstance, options: ReadRoutesOptions): Promise<void> {
  const { metadata } = options;
  const answers = createAnswerCache<RouteAnswers[typeof RESOLVE]>(options.hub);

  app.get<Answers<'GET /v1/remotes'>>('/v1/remotes', async function listRemotes() {
    return { remotes: await metadata.listRemotes() };
  });

  app.get<Answers<'GET /v1/remotes/:name'> & { Params: { name: string } }>(
    '/v1/remotes/:name',
    { schema: { params: paramsSchema('name') } },
    async function describeRemote(request) {
      const { name } = request.params;
      const [published, tags, keys, listing] = await Promise.all([
        metadata.listVersions(name),
        metadata.getTags(name),
        metadata.publisherKeys(name),
        releaseListing(metadata, name),
      ]);
      if (published.length === 0 && keys.length === 0) throw unknownRemote(name);
      const versions = listing ? published.filter((entry) => listing.lists(entry.version)) : published;
      return { name, versions, tags, keys: keys.map(({ keyId, publicKey, label, addedAt }) => ({ keyId, publicKey, label, addedAt })) };
    },
  );

  // Hosts resolve at start, on every event and on their periodic check: answered from memory,
  // with an ETag; `If-None-Match` with it gets a 304 and no body.
  app.get<Answers<typeof RESOLVE> & { Params: { name: string; spec: string }; Querystring: { include?: string } }>(
    '/v1/remotes/:name/resolve/:spec',
    { schema: { params: paramsSchema('name') } },
    async function resolve(request, reply) {
      const { name, spec } = request.params;
      const include = request.query.include === 'release';
      const answer = await answers.answer(`${name}\n${spec}\n${include}`, () => resolveFromStorage(name, spec, include));
      reply.header('etag', answer.etag).header('cache-control', 'no-cache');
      // A 304 has no body: the route's answer type does not apply to it.
      if (request.headers['if-none-match'] === answer.etag) return (reply as FastifyReply).code(304).send();
      return sendJsonText(reply as FastifyReply, RESOLVE, answer.body);
    },
  );

  async function resolveFromStorage(name: string, rawSpec: string, include: boolean): Promise<RouteAnswers[typeof RESOLVE]> {
    const spec = parseSpec(rawSpec, name);
    const listing = await releaseListing(metadata, name);
    let version: string;
    let tag: ResolvedTag | undefined;
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
      // A host refuses a tag going to an older version as a replay unless its last move was a rollback.
      const [lastMove] = await metadata.tagHistory(name, spec.tag, 1);
      tag = { name: state.tag, seq: state.seq, updatedAt: state.updatedAt, kind: lastMove?.kind ?? 'move' };
    } else if (spec.kind === 'range') {
      const published = (await metadata.listVersions(name)).map((entry) => entry.version);
      const versions = listing ? published.filter((item) => listing.lists(item)) : published;
      const best = semver.maxSatisfying(versions, spec.range);
      if (!best && published.length === 0) await requireKnownRemote(name);
      if (!best)
        throw new ModmeshError(
          'MODMESH_RANGE_UNSATISFIED',
          `no release of ${name} satisfies ${spec.range} (${listing ? `listed by ${listing.role} v${listing.version}` : 'published'}: ${versions.join(', ') || 'none'})`,
          { remote: name },
        );
      version = best;
    } else {
      version = spec.version;
    }
    const release = await metadata.getRelease(name, version);
    if (!release) {
      await requireKnownRemote(name);
      throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${version} is not published`, { remote: name, version });
    }
    requireListed(listing, name, version);
    return { name, spec: rawSpec, version, ...(tag && { tag }), ...(include && { release: signedRelease(release) }) };
  }

  app.get<Answers<'GET /v1/remotes/:name/releases/:version'> & { Params: { name: string; version: string } }>(
    '/v1/remotes/:name/releases/:version',
    { schema: { params: paramsSchema('name', 'version') } },
    async function getRelease(request) {
      const { name, version } = request.params;
      const [release, listing] = await Promise.all([metadata.getRelease(name, version), releaseListing(metadata, name)]);
      if (!release) throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${version} is not published`, { remote: name, version });
      requireListed(listing, name, version);
      return signedRelease(release);
    },
  );

  // A remote exists once a publisher key is registered for it or a release is published: asking
  // anything of one that does not gets told so, not that a tag or version is missing.
  async function requireKnownRemote(name: string): Promise<void> {
    const [versions, keys] = await Promise.all([metadata.listVersions(name), metadata.publisherKeys(name)]);
    if (versions.length === 0 && keys.length === 0) throw unknownRemote(name);
  }
}

// --- internal ---

const RESOLVE = 'GET /v1/remotes/:name/resolve/:spec';

function unknownRemote(name: string): ModmeshError {
  return new ModmeshError('MODMESH_NOT_FOUND', `there is no remote named ${name} at this registry`, {
    remote: name,
    hint: '`modmesh ls` lists the remotes it has. A remote appears once an admin registers its publisher key (`modmesh trust add`).',
  });
}

function signedRelease(release: StoredRelease): SignedReleaseRecord {
  return { manifest: JSON.parse(release.manifest), signature: release.signature, publishedAt: release.publishedAt, publishedBy: release.publishedBy };
}
