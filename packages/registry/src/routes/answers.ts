import type * as api from '@modmesh/api';
import type { FastifyReply } from 'fastify';
import type { JsonText } from '../resolve-cache.js';

/**
 * What each JSON route answers, by method and path, in the contract's types (@modmesh/api).
 * Every route plugin declares its reply from here (fastify's `Reply` generic), so a shape
 * changed in @modmesh/api is a type error in the handler that answers it, and the clients read
 * the same types. Errors are `api.ErrorAnswer`, whatever the route (http-errors.ts).
 */
export interface RouteAnswers {
  'GET /health': api.HealthAnswer;
  'GET /v1/whoami': api.WhoamiAnswer;
  'GET /v1/remotes': api.RemotesAnswer;
  'GET /v1/remotes/:name': api.RemoteAnswer;
  'GET /v1/remotes/:name/resolve/:spec': api.ResolveAnswer;
  'GET /v1/remotes/:name/releases/:version': api.SignedReleaseRecord;
  'PUT /v1/remotes/:name/blobs/:sha256': api.UploadAnswer;
  'POST /v1/remotes/:name/releases': api.PublishAnswer;
  'GET /v1/remotes/:name/tags': api.TagsAnswer;
  'PUT /v1/remotes/:name/tags/:tag': api.TagMove;
  'POST /v1/remotes/:name/tags/:tag/rollback': api.TagMove;
  'GET /v1/remotes/:name/tags/:tag/history': api.HistoryAnswer;
  'GET /v1/remotes/:name/history': api.HistoryAnswer;
  'POST /v1/consumers': api.ReportAnswer;
  'DELETE /v1/consumers/:instanceId': api.ForgetAnswer;
  'GET /v1/consumers': api.ConsumersAnswer;
  'GET /v1/remotes/:name/consumers': api.ConsumersAnswer;
  'POST /v1/remotes/:name/keys': api.AddKeyAnswer;
  'GET /v1/remotes/:name/keys': api.KeysAnswer;
  'DELETE /v1/remotes/:name/keys/:keyId': api.RemoveKeyAnswer;
  'POST /v1/tokens': api.CreateTokenAnswer;
  'GET /v1/tokens': api.TokensAnswer;
  'DELETE /v1/tokens/:id': api.RevokeTokenAnswer;
  'GET /v1/audit': api.AuditAnswer;
  'PUT /v1/tuf/roots/:version': api.PushMetadataAnswer;
  'PUT /v1/tuf/targets/:version': api.PushMetadataAnswer;
  'PUT /v1/remotes/:name/tags': api.TagsRoleAnswer;
  'PUT /v1/remotes/:name/releases': api.ReleasesRoleAnswer;
}

export type JsonRoute = keyof RouteAnswers;

/** A route's generic for fastify: its reply is the contract's answer for it. */
export type Answers<R extends JsonRoute> = { Reply: RouteAnswers[R] };

/**
 * Sends route `R`'s answer kept as its JSON text (resolve-cache.ts) as it is, serialized once and
 * not per request. Only the text of a `RouteAnswers[R]` is taken, so the answer stays the
 * contract's type although fastify's `Reply` generic cannot see through the text.
 */
export function sendJsonText<R extends JsonRoute>(reply: FastifyReply, _route: R, text: JsonText<RouteAnswers[R]>): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}
