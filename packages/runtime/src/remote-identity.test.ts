// Invariant 8: a remote's code only ever answers imports of that remote, whatever name its build
// gave its container. Hand-written containers here (fast); stock builds that claim one name are
// in test/e2e/src/remote-identity.test.ts.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generatePublisherKeyPair } from '@modmesh/manifest';
import { greeterRelease, startLiveRegistry, type LiveRegistry as TestRegistry } from '@modmesh/registry-test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh } from './mesh.js';

interface Greeter {
  greet(): string;
}

// The name both publishers chose for their containers: a field each of them controls.
const CLAIMED = 'auth';
const billingKey = generatePublisherKeyPair();
let registry: TestRegistry;

function claiming(name: string) {
  return { containers: [{ target: 'node' as const, name, entry: 'remoteEntry.js', exposes: [{ name: './greeter' }], shared: [] }] };
}

beforeAll(async () => {
  registry = await startLiveRegistry(['auth']);
  await registry.trust('billing', billingKey.publicKey);
  await registry.publish('auth', '1.0.0', greeterRelease(`exports.greet = () => 'auth'`), claiming(CLAIMED));
  await registry.publish('billing', '1.0.0', greeterRelease(`exports.greet = () => 'billing'`), claiming(CLAIMED), billingKey);
  await registry.moveTag('auth', 'stable', '1.0.0');
  await registry.moveTag('billing', 'stable', '1.0.0');
});
afterAll(() => registry.close());

describe('two remotes whose containers claim the same name', () => {
  it.each([
    ['auth', 'billing'],
    ['billing', 'auth'],
  ])('each answers only its own imports, loaded %s first', async (first, second) => {
    for (let start = 0; start < 3; start += 1) {
      const mesh = createMesh({
        registry: registry.url,
        remotes: { auth: 'auth@stable', billing: 'billing@stable' },
        trust: { auth: [registry.publisher.publicKey], billing: [billingKey.publicKey] },
        cacheDir: await mkdtemp(path.join(os.tmpdir(), 'modmesh-cache-')),
        reportIntervalMs: 0,
        watch: false,
        log: () => {},
      });
      try {
        const answers = new Map<string, string>();
        for (const remote of [first, second] as string[]) answers.set(remote, (await mesh.import<Greeter>(`${remote}/greeter`)).greet());
        expect(Object.fromEntries(answers)).toEqual({ auth: 'auth', billing: 'billing' });
        expect(mesh.status().remotes).toMatchObject({ auth: { evaluated: ['remoteEntry.js'] }, billing: { evaluated: ['remoteEntry.js'] } });
      } finally {
        await mesh.close();
      }
    }
  });
});

describe('a container that would join an instance that is not its own', () => {
  it('is refused before it is initialised: MODMESH_CONTAINER_NAME_CLASH', async () => {
    // Named like the host, and making no instance while its entry runs: its init would find the
    // host's instance by that name, as a runtime that makes its instance late would.
    const entry = `module.exports = {
      init() { if (globalThis.__FEDERATION__.__INSTANCES__.some((instance) => instance.name === 'modmesh_host')) globalThis.__modmeshJoined = true; },
      get() { return Promise.resolve(() => ({ greet: () => 'joined' })); },
    };`;
    await registry.publish('auth', '2.0.0', new Map([['remoteEntry.js', Buffer.from(entry)]]), claiming('modmesh_host'));
    const mesh = createMesh({
      registry: registry.url,
      remotes: { auth: 'auth@2.0.0' },
      trust: { auth: [registry.publisher.publicKey] },
      cacheDir: await mkdtemp(path.join(os.tmpdir(), 'modmesh-cache-')),
      reportIntervalMs: 0,
      watch: false,
      log: () => {},
    });
    try {
      await expect(mesh.import('auth/greeter', { deadlineMs: 3000 })).rejects.toMatchObject({
        code: 'MODMESH_REMOTE_UNAVAILABLE',
        cause: { code: 'MODMESH_NO_VERIFIED_RELEASE', cause: { code: 'MODMESH_CONTAINER_NAME_CLASH', remote: 'auth', version: '2.0.0' } },
      });
      expect((globalThis as { __modmeshJoined?: boolean }).__modmeshJoined).toBeUndefined();
    } finally {
      await mesh.close();
    }
  });
});
