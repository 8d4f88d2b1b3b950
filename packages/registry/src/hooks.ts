import { ModmeshError } from '@modmesh/manifest';
import type { FastifyInstance } from 'fastify';
import type { Authenticator, Principal } from './auth.js';
import { toHttpError } from './http-errors.js';
import type { RegistryMetrics } from './metrics.js';
import type { RegistryLimits } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, from its bearer token (set before any route runs). */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Answered to anyone, even when reads need a token: the route gives out no registry data. */
    publicRead?: boolean;
  }
}

// Answered to anyone: a load balancer's health check and Prometheus carry no token.
const OPEN_PATHS = new Set(['/health', '/metrics']);

/**
 * What every route of the registry shares, registered on the root before the route plugins:
 * who the caller is (and the unknown-token limit; a route's write budget is taken after this, by
 * the rate limiter's own onRequest hook, still before the body is read), reads needing a token when configured,
 * request metrics, cross-origin reads, and the coded JSON body of every error and unknown route.
 */
export function registerCoreHooks(app: FastifyInstance, services: { auth: Authenticator; limits: RegistryLimits; metrics: RegistryMetrics }): void {
  const { auth, limits, metrics } = services;
  app.decorateRequest('principal', null as never);

  app.addHook('onRequest', async function identify(request, reply) {
    request.principal = await limits.identify(request, reply, (authorization) => auth.identify(authorization));
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (!OPEN_PATHS.has(request.url) && !request.routeOptions.config.publicRead) auth.requireRead(request.principal);
    }
  });
  app.addHook('onResponse', async function measure(request, reply) {
    metrics.requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  // Browsers load release files and resolve remotes from other origins (a web shell on its own
  // port). Reads are public data, and a bearer token is not an ambient credential, so any origin
  // may read; writes other than a consumer's report stay same-origin (the dashboard).
  app.addHook('onSend', async function cors(request, reply) {
    if (request.method === 'GET' || request.method === 'HEAD' || request.url.startsWith('/v1/consumers')) {
      if (request.url.startsWith('/v1/')) reply.header('access-control-allow-origin', '*');
    }
  });
  app.setErrorHandler(function errorHandler(error, request, reply) {
    const { status, body, internal } = toHttpError(error);
    if (internal) request.log.error({ err: error }, 'internal error');
    reply.status(status).send(body);
  });
  app.setNotFoundHandler(function notFound(request, reply) {
    const route = `${request.method} ${request.url.split('?')[0]}`;
    const hint = "The registry's API is below /v1 (packages/registry/README.md): check that the client's registry URL is the registry's address, with no path.";
    reply.status(404).send({ error: new ModmeshError('MODMESH_NOT_FOUND', `no route ${route} at this registry`, { hint }).toJSON() });
  });
}
