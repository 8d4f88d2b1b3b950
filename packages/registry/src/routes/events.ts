import type { FastifyInstance } from 'fastify';
import type { EventHub } from '../events.js';

/**
 * `GET /v1/events`: releases published and tags moved, as Server-Sent Events that resume after
 * `Last-Event-ID` (the hub in events.ts serves them).
 */
export async function eventRoutes(app: FastifyInstance, options: { hub: EventHub }): Promise<void> {
  const { hub } = options;
  app.get('/v1/events', function streamEvents(request, reply) {
    return hub.serve(request, reply);
  });
}
