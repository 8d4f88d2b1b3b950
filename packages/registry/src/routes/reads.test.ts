// The read routes: what is published, and asking about what the registry does not have (the answer
// says which thing is unknown).

import path from 'node:path';
import { createFileBlobStore, createRegistryApp, createSqliteMetadataStore } from '@modmesh/registry';
import {
  ADMIN_TOKEN,
  admin,
  createTestRegistry,
  expectAnswer,
  publishFixture,
  releaseFixture,
  setUpPublisher,
  type TestRegistry,
} from '@modmesh/registry-test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;

beforeEach(async () => {
  registry = await createTestRegistry();
  await publishFixture(registry, releaseFixture('auth', '1.0.0'), await setUpPublisher(registry, 'auth'), { tag: 'stable' });
});
afterEach(() => registry.cleanup());

async function error(url: string) {
  const response = await registry.app.inject({ url });
  return { status: response.statusCode, ...(response.json() as { error: { code: string; message: string; hint: string } }).error };
}

describe('an unknown remote', () => {
  it.each(['nosuch', 'nosuch/resolve/stable', 'nosuch/resolve/*', 'nosuch/resolve/1.0.0'])('/v1/remotes/%s says that there is no such remote', async (path) => {
    expect(await error(`/v1/remotes/${path}`)).toMatchObject({
      status: 404,
      code: 'MODMESH_NOT_FOUND',
      message: 'there is no remote named nosuch at this registry',
      hint: expect.stringContaining('modmesh ls'),
    });
  });

  it('a known remote says which tag or version it lacks', async () => {
    expect(await error('/v1/remotes/auth/resolve/canary')).toMatchObject({ status: 404, message: 'auth has no tag canary' });
    expect(await error('/v1/remotes/auth/resolve/2.0.0')).toMatchObject({ status: 404, message: 'auth@2.0.0 is not published' });
  });
});

describe('what is published', () => {
  it('lists the remotes, and each one with its versions, tags and keys', async () => {
    expect((await registry.app.inject({ url: '/v1/remotes' })).json()).toEqual({
      remotes: [{ name: 'auth', releases: 1, latest: '1.0.0', tags: { stable: '1.0.0' } }],
    });
    const auth = (await registry.app.inject({ url: '/v1/remotes/auth' })).json();
    expect(auth).toMatchObject({ name: 'auth', versions: [{ version: '1.0.0' }], tags: [{ tag: 'stable', version: '1.0.0', seq: 1 }] });
    expect(Object.keys(auth.keys[0]).sort()).toEqual(['addedAt', 'keyId', 'label', 'publicKey']);
  });

  it('resolves a tag with its state, and with ?include=release the signed release in the same answer', async () => {
    const resolved = (await registry.app.inject({ url: '/v1/remotes/auth/resolve/stable?include=release' })).json();
    expect(resolved).toMatchObject({ name: 'auth', spec: 'stable', version: '1.0.0', tag: { name: 'stable', seq: 1, kind: 'move' } });
    expect(resolved.release).toEqual((await registry.app.inject({ url: '/v1/remotes/auth/releases/1.0.0' })).json());
    expect(resolved.release.manifest).toEqual(releaseFixture('auth', '1.0.0').manifest);
    expect((await registry.app.inject({ url: '/v1/remotes/auth/resolve/1.0.0' })).json()).toEqual({ name: 'auth', spec: '1.0.0', version: '1.0.0' });
  });

  it('checks the path before anything else: the remote name first, then the version, naming the remote', async () => {
    expect(await error('/v1/remotes/Auth/releases/1.0')).toMatchObject({ status: 400, code: 'MODMESH_INVALID_NAME' });
    expect(await error('/v1/remotes/auth/releases/1.0')).toMatchObject({
      status: 400,
      code: 'MODMESH_INVALID_VERSION',
      message: '"1.0" is not a full semantic version such as 1.2.3',
      remote: 'auth',
    });
    expect(await error('/v1/remotes/auth/tags/1.x/history')).toMatchObject({ status: 400, code: 'MODMESH_INVALID_TAG', remote: 'auth' });
    expect(await error('/v1/remotes/auth/resolve/not%20a%20spec!')).toMatchObject({ status: 400, code: 'MODMESH_INVALID_SPEC', remote: 'auth' });
    expect(await error('/v1/remotes/auth/releases/2.0.0')).toMatchObject({ status: 404, code: 'MODMESH_NOT_FOUND', message: 'auth@2.0.0 is not published' });
  });
});

describe('resolving from memory', () => {
  const resolve = (headers: Record<string, string> = {}) => registry.app.inject({ url: '/v1/remotes/auth/resolve/stable?include=release', headers });
  const moveStable = (version: string, expect: string) =>
    registry.app.inject({ method: 'PUT', url: '/v1/remotes/auth/tags/stable', headers: admin(), payload: { version, expect } });

  it('answers with an ETag, and a 304 with no body to a client that has that answer', async () => {
    const first = await resolve();
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect((await resolve()).body).toBe(first.body);
    const again = await resolve({ 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
  });

  it('answers the new state as soon as a release is published or a tag moves here', async () => {
    const before = await resolve();
    await publishFixture(registry, releaseFixture('auth', '1.1.0'), await setUpPublisher(registry, 'auth'));
    expect((await registry.app.inject({ url: '/v1/remotes/auth/resolve/%5E1' })).json()).toMatchObject({ version: '1.1.0' });
    expect((await moveStable('1.1.0', '1.0.0')).statusCode).toBe(200);
    const after = await resolve({ 'if-none-match': before.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ version: '1.1.0', tag: { seq: 2 } });
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('follows the event hub for what other replicas sharing the storage change', async () => {
    // A second registry on the same storage moves the tag: this one learns of it as every
    // replica does, from its hub (the storage's notification calls publish()).
    const metadata = createSqliteMetadataStore(path.join(registry.dir, 'registry.db'));
    const other = await createRegistryApp({ metadata, blobs: await createFileBlobStore(path.join(registry.dir, 'blobs')), adminToken: ADMIN_TOKEN });
    try {
      expect((await resolve()).json()).toMatchObject({ version: '1.0.0' });
      await publishFixture({ ...registry, ...other }, releaseFixture('auth', '1.1.0'), await setUpPublisher({ ...registry, ...other }, 'auth'));
      const moved = await other.app.inject({
        method: 'PUT',
        url: '/v1/remotes/auth/tags/stable',
        headers: admin(),
        payload: { version: '1.1.0', expect: '1.0.0' },
      });
      expect(moved.statusCode).toBe(200);
      registry.hub.publish();
      expect((await resolve()).json()).toMatchObject({ version: '1.1.0', tag: { seq: 2 } });
    } finally {
      await other.app.close();
      await metadata.close();
    }
  });

  it('keeps no failure: a tag made after a 404 resolves at once', async () => {
    expect((await registry.app.inject({ url: '/v1/remotes/auth/resolve/canary' })).statusCode).toBe(404);
    const made = await registry.app.inject({
      method: 'PUT',
      url: '/v1/remotes/auth/tags/canary',
      headers: admin(),
      payload: { version: '1.0.0', expect: null },
    });
    expect(made.statusCode).toBe(200);
    expect((await registry.app.inject({ url: '/v1/remotes/auth/resolve/canary' })).json()).toMatchObject({ version: '1.0.0' });
  });
});

describe('the answers', () => {
  it('are the contract’s types, exactly', async () => {
    const get = async (url: string) => registry.app.inject({ url });
    expect(expectAnswer('GET /v1/remotes', await get('/v1/remotes')).remotes).toHaveLength(1);
    expect(expectAnswer('GET /v1/remotes/:name', await get('/v1/remotes/auth')).keys).toHaveLength(1);
    for (const url of ['/v1/remotes/auth/resolve/stable', '/v1/remotes/auth/resolve/stable?include=release', '/v1/remotes/auth/resolve/%5E1']) {
      expect(expectAnswer('GET /v1/remotes/:name/resolve/:spec', await get(url)).version).toBe('1.0.0');
    }
    expect(expectAnswer('GET /v1/remotes/:name/releases/:version', await get('/v1/remotes/auth/releases/1.0.0')).publishedBy).toMatch(/\S/);
  });
});
