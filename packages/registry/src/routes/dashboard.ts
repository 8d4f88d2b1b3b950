import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModmeshError } from '@modmesh/manifest';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Answers } from './answers.js';

// The built dashboard (`npm run build`: dashboard/src bundled by webpack, with the page's static
// files), the same directory from src/routes/ (tests, sources) and dist/routes/ (the package).
const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

// Only these kinds of file are served; anything else in the directory stays private.
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  // The bundle's source map, for the browser's developer tools.
  '.map': 'application/json; charset=utf-8',
};

// The pages load nothing but their own files and this registry's API: no inline script or
// style, no framing (clickjacking of the tag controls), no forms posting elsewhere.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Revalidated (ETag) on every load, so a registry upgrade shows without a stale script.
  'cache-control': 'no-cache',
};

/**
 * Serves the dashboard (`GET /` and `GET /dashboard/:file`, the built files in
 * `dist/dashboard`) and `GET /v1/whoami`, which tells the dashboard what the token it was
 * given may do.
 */
export async function dashboardRoutes(app: FastifyInstance, options: { dir?: string } = {}): Promise<void> {
  const dir = options.dir ?? DASHBOARD_DIR;
  // Fixed at start: a name is served only if it was in the directory then, so a request can
  // never name a path of its own (`..`, absolute, encoded).
  const files = new Map(
    (existsSync(dir) ? readdirSync(dir) : []).filter((name) => Object.hasOwn(CONTENT_TYPES, path.extname(name))).map((name) => [name, path.join(dir, name)]),
  );

  app.get('/', { config: { publicRead: true } }, async function dashboardPage(request, reply) {
    return sendFile('index.html', request.headers['if-none-match'], reply);
  });

  app.get('/dashboard/:file', { config: { publicRead: true } }, async function dashboardAsset(request, reply) {
    const name = (request.params as { file?: string }).file ?? '';
    return sendFile(name, request.headers['if-none-match'], reply);
  });

  app.get<Answers<'GET /v1/whoami'>>('/v1/whoami', async function whoami(request) {
    const { principal } = request;
    return principal.kind === 'publish' ? { role: principal.kind, remote: principal.remote } : { role: principal.kind };
  });

  async function sendFile(name: string, ifNoneMatch: string | undefined, reply: FastifyReply): Promise<FastifyReply> {
    const file = files.get(name);
    if (!file)
      throw new ModmeshError('MODMESH_NOT_FOUND', `the dashboard has no file ${JSON.stringify(name.slice(0, 80))}`, {
        hint:
          files.size === 0
            ? 'This registry was started without a built dashboard (dist/dashboard): run `npm run build` in @modmesh/registry.'
            : 'Open the dashboard at /.',
      });
    const bytes = await readFile(file);
    const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
    reply.headers({ ...PAGE_HEADERS, etag });
    if (ifNoneMatch === etag) return reply.status(304).send();
    return reply.type(CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream').send(bytes);
  }
}
