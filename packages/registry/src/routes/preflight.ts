import type { FastifyInstance } from 'fastify';

// How long a browser may reuse the answer to a preflight.
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * CORS preflight for the reads under `/v1` (the TUF metadata and targets, remotes, files) and
 * `/v1/events`: a page on another origin that sends a read token (`Authorization`) or resumes a
 * stream (`Last-Event-ID`) is asked for one by its browser first. Reads only: a cross-origin
 * write is not allowed by this answer (consumers' reports have their own, routes/consumers.ts).
 */
export async function preflightRoutes(app: FastifyInstance): Promise<void> {
  app.options('/v1/*', { config: { publicRead: true } }, async function preflight(_request, reply) {
    return reply
      .status(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET, HEAD')
      .header('access-control-allow-headers', 'authorization, last-event-id')
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S))
      .send();
  });
}
