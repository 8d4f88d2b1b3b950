// The registry answers in the contract's types, and the one client reads the same ones. The
// type-level half is checked by `npm run typecheck` (tsc over this file); the runtime half checks
// that every route named in the contract is a route of the app. Each route family's test checks
// its real answers against the contract's shapes (expectAnswer from the test utilities).
import type * as api from '@modmesh/api';
import { ANSWER_CHECKS, createTestRegistry, type TestRegistry } from '@modmesh/registry-test-utils';
import type { HTTPMethods } from 'fastify';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { ConsumerRegistry } from '../consumers.js';
import { toStreamEvent } from '../events.js';
import type { JsonText } from '../resolve-cache.js';
import type { Consumer, ConsumerReport } from '../storage/consumers.js';
import type { MetadataStore, PublisherKey, RemoteSummary, TagMove, TagState } from '../storage/types.js';
import { type RouteAnswers, sendJsonText } from './answers.js';

/** What a call of the one client (@modmesh/api) resolves to. */
type ClientAnswer<M extends keyof api.RegistryClient> = api.RegistryClient[M] extends (...args: never[]) => Promise<infer A> ? A : never;

describe('the registry’s answers are the contract’s types', () => {
  it('an answer kept as JSON text (resolves) is sent only as its own route’s answer', () => {
    expectTypeOf(sendJsonText<'GET /v1/remotes/:name/resolve/:spec'>)
      .parameter(2)
      .toEqualTypeOf<JsonText<api.ResolveAnswer>>();
    const tagsText = '[]' as JsonText<api.TagsAnswer>;
    // @ts-expect-error the tags route's answer is not a resolve answer
    const asResolve: Parameters<typeof sendJsonText<'GET /v1/remotes/:name/resolve/:spec'>>[2] = tagsText;
    expect(asResolve).toBe('[]');
  });

  it('each route answers what the one client reads from it', () => {
    expectTypeOf<RouteAnswers['GET /v1/whoami']>().toEqualTypeOf<ClientAnswer<'whoami'>>();
    expectTypeOf<RouteAnswers['GET /v1/remotes']>().toEqualTypeOf<ClientAnswer<'remotes'>>();
    expectTypeOf<RouteAnswers['GET /v1/remotes/:name']>().toEqualTypeOf<ClientAnswer<'remote'>>();
    // A host asks with ?include=release, and the client refuses an answer without one.
    expectTypeOf<ClientAnswer<'resolve'>>().toEqualTypeOf<RouteAnswers['GET /v1/remotes/:name/resolve/:spec'] & { release: api.SignedReleaseRecord }>();
    expectTypeOf<RouteAnswers['GET /v1/remotes/:name/releases/:version']>().toEqualTypeOf<ClientAnswer<'release'>>();
    expectTypeOf<RouteAnswers['PUT /v1/remotes/:name/blobs/:sha256']>().toEqualTypeOf<ClientAnswer<'uploadBlob'>>();
    expectTypeOf<RouteAnswers['POST /v1/remotes/:name/releases']>().toEqualTypeOf<ClientAnswer<'publish'>>();
    expectTypeOf<RouteAnswers['GET /v1/remotes/:name/tags']>().toEqualTypeOf<ClientAnswer<'tags'>>();
    expectTypeOf<RouteAnswers['PUT /v1/remotes/:name/tags/:tag']>().toEqualTypeOf<ClientAnswer<'moveTag'>>();
    expectTypeOf<RouteAnswers['POST /v1/remotes/:name/tags/:tag/rollback']>().toEqualTypeOf<ClientAnswer<'rollback'>>();
    expectTypeOf<RouteAnswers['GET /v1/remotes/:name/tags/:tag/history']>().toEqualTypeOf<ClientAnswer<'history'>>();
    expectTypeOf<RouteAnswers['GET /v1/remotes/:name/history']>().toEqualTypeOf<ClientAnswer<'history'>>();
    expectTypeOf<RouteAnswers['POST /v1/consumers']>().toEqualTypeOf<ClientAnswer<'report'>>();
    expectTypeOf<RouteAnswers['GET /v1/consumers']>().toEqualTypeOf<ClientAnswer<'consumers'>>();
    expectTypeOf<RouteAnswers['GET /v1/remotes/:name/consumers']>().toEqualTypeOf<ClientAnswer<'consumers'>>();
    expectTypeOf<RouteAnswers['POST /v1/remotes/:name/keys']>().toEqualTypeOf<ClientAnswer<'addKey'>>();
    expectTypeOf<RouteAnswers['GET /v1/remotes/:name/keys']>().toEqualTypeOf<ClientAnswer<'keys'>>();
    expectTypeOf<RouteAnswers['DELETE /v1/remotes/:name/keys/:keyId']>().toEqualTypeOf<ClientAnswer<'removeKey'>>();
    expectTypeOf<RouteAnswers['POST /v1/tokens']>().toEqualTypeOf<ClientAnswer<'createToken'>>();
    expectTypeOf<RouteAnswers['GET /v1/tokens']>().toEqualTypeOf<ClientAnswer<'tokens'>>();
    expectTypeOf<RouteAnswers['DELETE /v1/tokens/:id']>().toEqualTypeOf<ClientAnswer<'revokeToken'>>();
    expectTypeOf<RouteAnswers['GET /v1/audit']>().toEqualTypeOf<ClientAnswer<'audit'>>();
    expectTypeOf<RouteAnswers['PUT /v1/tuf/roots/:version']>().toEqualTypeOf<ClientAnswer<'pushRoot'>>();
    expectTypeOf<RouteAnswers['PUT /v1/tuf/targets/:version']>().toEqualTypeOf<ClientAnswer<'pushTargets'>>();
    expectTypeOf<RouteAnswers['PUT /v1/remotes/:name/tags']>().toEqualTypeOf<ClientAnswer<'putTagsRole'>>();
    expectTypeOf<RouteAnswers['PUT /v1/remotes/:name/releases']>().toEqualTypeOf<ClientAnswer<'putReleasesRole'>>();
    expectTypeOf<RouteAnswers['GET /health']>().toEqualTypeOf<ClientAnswer<'health'>>();
    // The client's forget() resolves to nothing; the answer is still the contract's.
    expectTypeOf<RouteAnswers['DELETE /v1/consumers/:instanceId']>().toEqualTypeOf<api.ForgetAnswer>();
    expectTypeOf<RouteAnswers['GET /health']>().toEqualTypeOf<api.HealthAnswer>();
  });

  it('what storage keeps is the contract’s type, with only the registry’s own fields added', () => {
    expectTypeOf<TagState>().toEqualTypeOf<api.TagState>();
    expectTypeOf<TagMove>().toEqualTypeOf<api.TagMove>();
    expectTypeOf<RemoteSummary>().toEqualTypeOf<api.RemoteSummary>();
    expectTypeOf<ConsumerReport>().toEqualTypeOf<api.ConsumerReport>();
    expectTypeOf<Consumer>().toEqualTypeOf<api.Consumer>();
    expectTypeOf<PublisherKey>().toExtend<api.PublisherKeyInfo>();
    expectTypeOf<Awaited<ReturnType<MetadataStore['listRemotes']>>>().toEqualTypeOf<api.RemoteSummary[]>();
    expectTypeOf<Awaited<ReturnType<MetadataStore['getTags']>>>().toEqualTypeOf<api.TagState[]>();
    expectTypeOf<Awaited<ReturnType<MetadataStore['tagHistory']>>>().toEqualTypeOf<api.TagMove[]>();
    expectTypeOf<Awaited<ReturnType<ConsumerRegistry['list']>>>().toEqualTypeOf<api.Consumer[]>();
    // Stored events go out as the stream's events.
    expectTypeOf(toStreamEvent).returns.toEqualTypeOf<api.RegistryStreamEvent>();
  });
});

describe('the routes the contract names', () => {
  let registry: TestRegistry | undefined;
  afterEach(() => registry?.cleanup());

  it('are every one a route of the registry', async () => {
    registry = await createTestRegistry();
    const routes = Object.keys(ANSWER_CHECKS).map((route) => route.split(' ') as [HTTPMethods, string]);
    expect(routes.filter(([method, url]) => !registry?.app.hasRoute({ method, url }))).toEqual([]);
  });
});
