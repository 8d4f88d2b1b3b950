import type { TufStatus } from '@modmesh/api';
import type { FastifyInstance } from 'fastify';
import type { RegistryMetrics } from '../metrics.js';
import type { Answers } from './answers.js';

/**
 * Operations: `GET /health` for load balancers and `GET /metrics` for Prometheus, both open to
 * anyone. Health says how much time the TUF documents have left (`tuf`), and what needs doing
 * (an expired document, the online key missing); it stays 200 while the registry serves.
 */
export async function healthRoutes(app: FastifyInstance, options: { metrics: RegistryMetrics; tuf?: () => Promise<TufStatus> }): Promise<void> {
  const { metrics, tuf } = options;

  app.get<Answers<'GET /health'>>('/health', async function health() {
    return { status: 'ok', ...(tuf && { tuf: await tuf() }) };
  });

  app.get('/metrics', async function prometheus(_request, reply) {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
