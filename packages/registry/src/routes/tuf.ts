import { ModmeshError, REMOTE_NAME, TAG_NAME } from '@modmesh/manifest';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { paramsSchema } from '../params.js';
import type { MetadataStore } from '../storage/types.js';

export interface TufRoutesOptions {
  metadata: MetadataStore;
}

// Design 16 §1.3: versioned files and targets never change (their names hold a version or a
// hash); timestamp.json and root.json name the newest, and are revalidated on every use.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const NEWEST = 'no-cache';
const TOP_LEVEL = new Set(['root', 'targets', 'snapshot', 'timestamp']);
const VERSIONED_FILE = /^([1-9][0-9]{0,15})\.(.+)\.json$/;
const TARGET_PATH = /^([^/]+)\/(releases|tags)\/([0-9a-f]{64})\.(.+)$/;

/**
 * The TUF repository as standard tooling reads it (design 16 §1.3): `GET /v1/tuf/metadata/:file`
 * (`timestamp.json`, `root.json`, `N.<role>.json`) and `GET /v1/tuf/targets/*` (release documents
 * at `R/releases/<sha256>.<version>.json` and `R/tags/<sha256>.<tag>`), the stored bytes exactly;
 * and `GET /v1/remotes/:name/releases/:version/document`, a release's document by version (what
 * `modmesh releases adopt` signs). A 404 is `MODMESH_NOT_FOUND`.
 */
export async function tufRoutes(app: FastifyInstance, options: TufRoutesOptions): Promise<void> {
  const { metadata } = options;

  app.get<{ Params: { file: string } }>('/v1/tuf/metadata/:file', async function tufMetadata(request, reply) {
    const { file } = request.params;
    if (file === 'timestamp.json' || file === 'root.json') {
      const row = await metadata.getMetadata(file.slice(0, -'.json'.length));
      if (!row) throw notFound(file, file === 'root.json' ? 'this registry has no root of trust yet' : 'this registry has signed no timestamp yet');
      return send(reply, row.bytes, NEWEST);
    }
    const match = VERSIONED_FILE.exec(file);
    const role = match?.[2];
    if (!match || !role || !isRole(role))
      throw notFound(file, 'not a TUF metadata file of this registry (N.root.json, N.snapshot.json, N.<remote>.tags.json...)');
    const row = await metadata.getMetadata(role, Number(match[1]));
    if (!row) throw notFound(file, `this registry has no ${role}.json v${match[1]}`);
    return send(reply, row.bytes, IMMUTABLE);
  });

  app.get<{ Params: { '*': string } }>('/v1/tuf/targets/*', async function tufTarget(request, reply) {
    const path = request.params['*'];
    const match = TARGET_PATH.exec(path);
    const [, remote = '', kind, sha256 = '', rest = ''] = match ?? [];
    if (!match || !REMOTE_NAME.test(remote)) throw notFound(path, 'not a target of this registry (R/releases/<sha256>.<version>.json, R/tags/<sha256>.<tag>)');
    const document =
      kind === 'releases'
        ? rest.endsWith('.json')
          ? await metadata.releaseDocument(remote, rest.slice(0, -'.json'.length))
          : undefined
        : TAG_NAME.test(rest)
          ? await metadata.releaseDocumentByHash(remote, sha256)
          : undefined;
    if (!document || document.sha256 !== sha256) throw notFound(path, `${remote} has no release document with SHA-256 ${sha256}`);
    return send(reply, new TextEncoder().encode(document.document), IMMUTABLE);
  });

  app.get<{ Params: { name: string; version: string } }>(
    '/v1/remotes/:name/releases/:version/document',
    { schema: { params: paramsSchema('name', 'version') } },
    async function releaseDocument(request, reply) {
      const { name, version } = request.params;
      const document = await metadata.releaseDocument(name, version);
      if (!document) throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${version} is not published`, { remote: name, version });
      return send(reply, new TextEncoder().encode(document.document), IMMUTABLE);
    },
  );
}

// --- internal ---

function isRole(role: string): boolean {
  if (TOP_LEVEL.has(role)) return true;
  const kind = role.endsWith('.releases') ? '.releases' : role.endsWith('.tags') ? '.tags' : undefined;
  return kind !== undefined && REMOTE_NAME.test(role.slice(0, -kind.length));
}

function send(reply: FastifyReply, bytes: Uint8Array, cacheControl: string): FastifyReply {
  return reply.type('application/json').header('cache-control', cacheControl).send(Buffer.from(bytes));
}

function notFound(file: string, why: string): ModmeshError {
  return new ModmeshError('MODMESH_NOT_FOUND', `${file.slice(0, 200)}: ${why}`, { file: file.slice(0, 200) });
}
