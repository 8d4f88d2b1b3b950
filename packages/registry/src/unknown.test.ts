// Asking the registry about what it does not have: the answer says which thing is unknown.

import { createTestRegistry, publishFixture, releaseFixture, setUpPublisher, type TestRegistry } from '@modmesh/registry-test-utils';
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

describe('a path that is no route of the API', () => {
  it('says so, with a hint about the registry URL rather than about names and versions', async () => {
    expect(await error('/health/v1/remotes')).toMatchObject({
      status: 404,
      code: 'MODMESH_NOT_FOUND',
      message: 'no route GET /health/v1/remotes at this registry',
      hint: expect.stringContaining('with no path'),
    });
  });
});
