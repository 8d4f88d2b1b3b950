import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import type { ConsumerRegistry } from '../consumers.js';
import { paramsSchema } from '../params.js';
import { jsonObject } from '../validate.js';
import type { Answers } from './answers.js';

export interface ConsumerRoutesOptions {
  auth: Authenticator;
  consumers: ConsumerRegistry;
}

// How long a browser may reuse the answer to a preflight of a report.
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Which host runs which release: hosts and browsers report (`POST /v1/consumers`, from any
 * origin), leave (`DELETE /v1/consumers/:instanceId`), and anyone who may read lists them
 * (`GET /v1/consumers`, `GET /v1/remotes/:name/consumers`).
 */
export async function consumerRoutes(app: FastifyInstance, options: ConsumerRoutesOptions): Promise<void> {
  const { auth, consumers } = options;

  app.post<Answers<'POST /v1/consumers'>>('/v1/consumers', async function report(request) {
    auth.requireRead(request.principal);
    const consumer = await consumers.report(jsonObject(request.body));
    return { instanceId: consumer.instanceId, lastSeen: consumer.lastSeen };
  });

  app.options('/v1/consumers', async function preflight(_request, reply) {
    return reply
      .status(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type, authorization')
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S))
      .send();
  });

  app.delete<Answers<'DELETE /v1/consumers/:instanceId'> & { Params: { instanceId: string } }>('/v1/consumers/:instanceId', async function leave(request) {
    auth.requireRead(request.principal);
    await consumers.remove(request.params.instanceId);
    return { removed: true };
  });

  app.get<Answers<'GET /v1/consumers'>>('/v1/consumers', async function listConsumers() {
    return { consumers: await consumers.list() };
  });

  app.get<Answers<'GET /v1/remotes/:name/consumers'> & { Params: { name: string } }>(
    '/v1/remotes/:name/consumers',
    { schema: { params: paramsSchema('name') } },
    async function consumersOf(request) {
      return { consumers: await consumers.list(request.params.name) };
    },
  );
}
