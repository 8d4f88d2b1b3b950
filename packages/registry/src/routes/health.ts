import type { FastifyInstance } from 'fastify';
import type { RegistryMetrics } from '../metrics.js';
import type { Answers } from './answers.js';

/** Operations: `GET /health` for load balancers and `GET /metrics` for Prometheus, both open to anyone. */
export async function healthRoutes(app: FastifyInstance, options: { metrics: RegistryMetrics }): Promise<void> {
  const { metrics } = options;

  app.get<Answers<'GET /health'>>('/health', async function health() {
    return { status: 'ok' };
  });

  app.get('/metrics', async function prometheus(_request, reply) {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
