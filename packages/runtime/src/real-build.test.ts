// The auth service's real builds (made once per test run by test/global-setup.ts, by webpack
// and by rspack), published to a real registry and loaded through the runtime with shared
// singletons: modmesh adds verification, it does not fork the container format.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { buildRelease, startLiveRegistry, type LiveRegistry as TestRegistry } from '@modmesh/registry-test-utils';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMesh, type Mesh } from './mesh.js';

const require = createRequire(import.meta.url);
const builds = { webpack: inject('authBuild'), rspack: inject('authBuildRspack') };

interface TokenValidator {
  validateJwtToken(token: string): { isValid: boolean; user?: { username: string }; error?: string };
}

describe.each(Object.entries(builds))('a %s-built remote through the registry', (_bundler, build) => {
  let registry: TestRegistry;
  let mesh: Mesh;

  beforeAll(async () => {
    registry = await startLiveRegistry(['auth']);
    const { files, containers } = buildRelease(build.remoteDir);
    await registry.publish('auth', '1.0.0', files, { containers });
    await registry.moveTag('auth', 'stable', '1.0.0');
    mesh = createMesh({
      registry: registry.url,
      remotes: { auth: 'auth@stable' },
      trust: { auth: [registry.publisher.publicKey] },
      cacheDir: await mkdtemp(path.join(os.tmpdir(), 'modmesh-cache-')),
      name: 'test_host',
      shared: { jsonwebtoken: { version: require('jsonwebtoken/package.json').version, lib: () => jwt, requiredVersion: '^9.0.0' } },
      reportIntervalMs: 0,
      log: () => {},
    });
  });
  afterAll(async () => {
    await mesh.close();
    await registry.close();
  });

  it('validates tokens with the federated validator, using the host’s jsonwebtoken', async () => {
    const { validateJwtToken } = await mesh.import<TokenValidator>('auth/tokenValidator');
    const kid = JSON.parse(readFileSync(path.join(build.remoteDir, 'modmesh-build.json'), 'utf8')).defines.__AUTH_TRUSTED_KEYS__[0].kid;
    const token = jwt.sign({ username: 'alice' }, createPrivateKey(build.privateKeyPem), {
      algorithm: 'ES256',
      keyid: kid,
      issuer: 'modmesh-example-auth',
      audience: 'modmesh-example-api',
      subject: 'user-1',
      expiresIn: 60,
    });
    expect(validateJwtToken(token)).toMatchObject({ isValid: true, user: { username: 'alice' } });
    expect(validateJwtToken(`${token}x`).isValid).toBe(false);

    const status = mesh.status();
    expect(status.shared.jsonwebtoken).toEqual([expect.objectContaining({ from: 'test_host', loaded: true, usedBy: ['auth'] })]);
    expect(status.remotes.auth?.evaluated).toEqual(['remoteEntry.js', expect.stringMatching(/^__federation_expose_tokenValidator\./)]);
  });
});
