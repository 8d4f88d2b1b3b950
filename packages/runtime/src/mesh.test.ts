import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { greeterRelease, startLiveRegistry, type LiveRegistry as TestRegistry } from '@modmesh/registry-test-utils';
import { pollUntil, startFaultProxy, startSilentServer } from '@modmesh/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from './log.js';
import { createMesh, type Mesh, type MeshOptions } from './mesh.js';

interface Greeter {
  greet(): string;
}

let registry: TestRegistry;
let cacheDir: string;
const meshes: Mesh[] = [];
const logs: { level: string; msg: string; code?: unknown }[] = [];
const log: Logger = (level, msg, fields) => void logs.push({ level, msg, ...fields });

beforeEach(async () => {
  registry = await startLiveRegistry(['demo']);
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-cache-'));
  logs.length = 0;
  await registry.publish('demo', '1.0.0', greeterRelease(`exports.greet = () => 'hello from 1.0.0'`), greeterExposes());
  await registry.moveTag('demo', 'stable', '1.0.0');
});
afterEach(async () => {
  await Promise.all(meshes.splice(0).map((mesh) => mesh.close()));
  await registry.close();
});

function greeterExposes() {
  return { containers: [{ target: 'node' as const, name: 'demo', entry: 'remoteEntry.js', exposes: [{ name: './greeter' }], shared: [] }] };
}

function mesh(overrides: Partial<MeshOptions> = {}): Mesh {
  const created = createMesh({
    registry: registry.url,
    remotes: { demo: 'demo@stable' },
    trust: { demo: [registry.publisher.publicKey] },
    cacheDir,
    reportIntervalMs: 0,
    log,
    ...overrides,
  });
  meshes.push(created);
  return created;
}

/** A host that ran the release stable points at, then stopped as a process stops (what it verified is kept by then). */
async function ranOnceAndStopped(): Promise<void> {
  const host = mesh();
  (await host.import<Greeter>('demo/greeter')).greet();
  await host.close();
}

const greeting = async (handle: { get(deadline?: number): Promise<Greeter> }) => (await handle.get(5000)).greet();

describe('loading', () => {
  it('runs the release the tag points at, from verified bytes', async () => {
    const host = mesh();
    const greeter = await host.import<Greeter>('demo/greeter');
    expect(greeter.greet()).toBe('hello from 1.0.0');
    expect(host.status().remotes.demo).toMatchObject({ state: 'ready', version: '1.0.0', source: 'registry', evaluated: ['remoteEntry.js'] });
  });

  it('fails closed: a release signed by a key not trusted for the remote is never evaluated', async () => {
    const other = (await import('@modmesh/manifest')).generatePublisherKeyPair();
    const host = mesh({ trust: { demo: [other.publicKey] } });
    await expect(host.import('demo/greeter', { deadlineMs: 3000 })).rejects.toMatchObject({
      code: 'MODMESH_REMOTE_UNAVAILABLE',
      cause: { code: 'MODMESH_NO_VERIFIED_RELEASE', cause: { code: 'MODMESH_KEY_NOT_TRUSTED' } },
    });
    expect(host.status().remotes.demo?.evaluated).toEqual([]);
    expect(host.metrics()).toContain('modmesh_runtime_verification_failures_total{remote="demo",code="MODMESH_KEY_NOT_TRUSTED"} 1');
  });

  it('fails closed: a file altered on the registry after publishing is refused with its hash', async () => {
    const { writeFileSync, readdirSync } = await import('node:fs');
    const blobs = path.join(registry.dir, 'blobs', 'sha256');
    for (const shard of readdirSync(blobs))
      for (const blob of readdirSync(path.join(blobs, shard))) writeFileSync(path.join(blobs, shard, blob), 'globalThis.pwned = true;');
    const host = mesh();
    await expect(host.import('demo/greeter', { deadlineMs: 3000 })).rejects.toMatchObject({ cause: { cause: { code: 'MODMESH_HASH_MISMATCH' } } });
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it('refuses to start without a trusted key for a remote', () => {
    expect(() => mesh({ trust: {} })).toThrow(expect.objectContaining({ code: 'MODMESH_CONFIG_INVALID' }));
  });
});

describe('outages', () => {
  it('boots from the verified cache when the registry is down, and says so with a code', async () => {
    await ranOnceAndStopped();
    await registry.close();
    const restarted = mesh({ watch: false });
    expect(await greeting(restarted.live<Greeter>('demo/greeter'))).toBe('hello from 1.0.0');
    expect(restarted.status().remotes.demo).toMatchObject({ version: '1.0.0', source: 'cache' });
    expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_BOOTED_FROM_CACHE' }));
    registry = await startLiveRegistry(['demo']);
  });

  it('never boots from a cache file that was altered', async () => {
    await ranOnceAndStopped();
    const { readdirSync, writeFileSync } = await import('node:fs');
    const blobs = path.join(cacheDir, 'blobs');
    for (const shard of readdirSync(blobs))
      for (const blob of readdirSync(path.join(blobs, shard))) writeFileSync(path.join(blobs, shard, blob), 'globalThis.pwned = true;');
    await registry.close();
    const restarted = mesh({ watch: false });
    await expect(restarted.import('demo/greeter', { deadlineMs: 3000 })).rejects.toMatchObject({ code: 'MODMESH_REMOTE_UNAVAILABLE' });
    expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_CACHE_INCOMPLETE' }));
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
    registry = await startLiveRegistry(['demo']);
  });

  it('boots from the cached release when the one the registry offers is broken', async () => {
    await ranOnceAndStopped();
    await registry.publish('demo', '1.1.0', greeterRelease('', `throw new Error('broken build');`), greeterExposes());
    await registry.moveTag('demo', 'stable', '1.1.0');
    const restarted = mesh({ watch: false });
    expect(await greeting(restarted.live<Greeter>('demo/greeter'))).toBe('hello from 1.0.0');
    expect(restarted.status().remotes.demo).toMatchObject({ version: '1.0.0', source: 'cache' });
    expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_REMOTE_EVALUATION_FAILED', version: '1.1.0' }));
  });

  it('with a cold cache and no registry: a coded error, or the fallback module when one is configured', async () => {
    const silent = await startSilentServer();
    try {
      const host = mesh({
        registry: silent.url,
        watch: false,
        deadlines: { firstByteMs: 300 },
        fallbacks: { 'demo/greeter': () => ({ greet: () => 'fallback' }) },
      });
      expect((await host.import<Greeter>('demo/greeter', { deadlineMs: 2000 })).greet()).toBe('fallback');
      expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_FALLBACK_USED' }));
      const bare = mesh({ registry: silent.url, watch: false, deadlines: { firstByteMs: 300 }, remotes: { demo: 'demo@stable' } });
      await expect(bare.import('demo/greeter', { deadlineMs: 2000 })).rejects.toMatchObject({ code: 'MODMESH_REMOTE_UNAVAILABLE' });
    } finally {
      await silent.close();
    }
  });
});

describe('live swaps', () => {
  it('follows the tag: a move swaps the release under the live handle, and in-flight holders keep the old one', async () => {
    const host = mesh();
    const live = host.live<Greeter>('demo/greeter');
    const before = await live.get(5000);
    await registry.publish('demo', '1.1.0', greeterRelease(`exports.greet = () => 'hello from 1.1.0'`), greeterExposes());
    await registry.moveTag('demo', 'stable', '1.1.0');
    await pollUntil('the host runs 1.1.0', async () => (live.version() === '1.1.0' ? true : undefined));
    expect(await greeting(live)).toBe('hello from 1.1.0');
    expect(before.greet()).toBe('hello from 1.0.0');

    await registry.rollback('demo', 'stable');
    await pollUntil('the host is back on 1.0.0', async () => (live.version() === '1.0.0' ? true : undefined));
    expect(await greeting(live)).toBe('hello from 1.0.0');
    expect(host.metrics()).toContain('modmesh_runtime_swaps_total{remote="demo",result="swapped"} 2');
  });

  it('refuses a tag moved to an older version without a rollback, as a replay', async () => {
    const host = mesh();
    const live = host.live<Greeter>('demo/greeter');
    await registry.publish('demo', '1.1.0', greeterRelease(`exports.greet = () => 'hello from 1.1.0'`), greeterExposes());
    await registry.moveTag('demo', 'stable', '1.1.0');
    await live.get(5000);
    await pollUntil('the host runs 1.1.0', async () => (live.version() === '1.1.0' ? true : undefined));
    await registry.moveTag('demo', 'stable', '1.0.0');
    await pollUntil('the replay is refused', async () => (logs.some((line) => line.code === 'MODMESH_REPLAY_REFUSED') ? true : undefined));
    expect(live.version()).toBe('1.1.0');
  });

  it('refuses a release that fails to load or lacks an export, and keeps serving the old one', async () => {
    const host = mesh();
    const live = host.live<Greeter>('demo/greeter');
    expect(await greeting(live)).toBe('hello from 1.0.0');

    await registry.publish('demo', '1.1.0', greeterRelease(`exports.wave = () => 'no greet here'`), greeterExposes());
    await registry.moveTag('demo', 'stable', '1.1.0');
    await pollUntil('1.1.0 is refused', async () => (logs.some((line) => line.code === 'MODMESH_SWAP_REFUSED' && /1\.1\.0/.test(line.msg)) ? true : undefined));

    await registry.publish('demo', '1.2.0', greeterRelease('', `throw new Error('broken build');`), greeterExposes());
    await registry.moveTag('demo', 'stable', '1.2.0');
    await pollUntil('1.2.0 is refused', async () => (logs.some((line) => line.code === 'MODMESH_SWAP_REFUSED' && /1\.2\.0/.test(line.msg)) ? true : undefined));

    expect(live.version()).toBe('1.0.0');
    expect(await greeting(live)).toBe('hello from 1.0.0');
  });

  it('a host following a range picks up new matching releases, and not others', async () => {
    const host = mesh({ remotes: { demo: 'demo@^1' } });
    const live = host.live<Greeter>('demo/greeter');
    expect(await greeting(live)).toBe('hello from 1.0.0');
    await registry.publish('demo', '2.0.0', greeterRelease(`exports.greet = () => 'hello from 2.0.0'`), greeterExposes());
    await registry.publish('demo', '1.3.0', greeterRelease(`exports.greet = () => 'hello from 1.3.0'`), greeterExposes());
    await pollUntil('the host runs 1.3.0', async () => (live.version() === '1.3.0' ? true : undefined));
    expect(await greeting(live)).toBe('hello from 1.3.0');
  });
});

describe('faults on the way to the registry', () => {
  for (const [what, only] of [
    ['the answer to which release the tag names', (url: string) => url.includes('/resolve/')],
    ['the release’s files', (url: string) => url.startsWith('/v1/blobs/')],
  ] as const) {
    it(`a swap that failed because ${what} came back as 500s is retried by itself once the fault is over`, async () => {
      const proxy = await startFaultProxy(registry.url);
      try {
        const host = mesh({ registry: proxy.url, recheckIntervalMs: 3_600_000 });
        const live = host.live<Greeter>('demo/greeter');
        expect(await greeting(live)).toBe('hello from 1.0.0');
        await pollUntil('the event stream is up', async () => (host.status().events === 'connected' ? true : undefined));

        proxy.setFault({ kind: 'status', status: 500 }, { only });
        await registry.publish('demo', '1.1.0', greeterRelease(`exports.greet = () => 'hello from 1.1.0'`), greeterExposes());
        await registry.moveTag('demo', 'stable', '1.1.0');
        await pollUntil('the fault is met', async () => (logs.some((line) => line.code === 'MODMESH_REMOTE_BAD_STATUS') ? true : undefined));
        expect(live.version()).toBe('1.0.0');
        proxy.setFault(undefined);

        await pollUntil('the host runs 1.1.0', async () => (live.version() === '1.1.0' ? true : undefined), { deadlineMs: 10_000 });
        expect(host.metrics()).toMatch(/modmesh_runtime_registry_failures_total\{remote="demo",code="MODMESH_REMOTE_BAD_STATUS"\} [1-9]/);
      } finally {
        await proxy.close();
      }
    });
  }
});

describe('shared packages', () => {
  it('names the package and both versions when a release needs a shared singleton the host cannot give', async () => {
    const shared = (strictVersion: boolean) => ({
      containers: [
        {
          target: 'node' as const,
          name: 'demo',
          entry: 'remoteEntry.js',
          exposes: [{ name: './greeter' }],
          shared: [{ name: 'jsonwebtoken', version: '10.1.0', requiredVersion: '^10.0.0', singleton: true, strictVersion }],
        },
      ],
    });
    await registry.publish('demo', '2.0.0', greeterRelease(`exports.greet = () => 'strict'`), shared(true));
    await registry.publish('demo', '2.1.0', greeterRelease(`exports.greet = () => 'lenient'`), shared(false));
    const host = (spec: string) => mesh({ remotes: { demo: `demo@${spec}` }, shared: { jsonwebtoken: { version: '9.0.3', lib: () => ({}) } } });

    await expect(host('2.0.0').import('demo/greeter', { deadlineMs: 3000 })).rejects.toMatchObject({
      cause: { cause: { code: 'MODMESH_SHARED_VERSION_CONFLICT', message: 'demo@2.0.0 requires jsonwebtoken@^10.0.0; the host provides jsonwebtoken@9.0.3' } },
    });
    expect((await host('2.1.0').import<Greeter>('demo/greeter')).greet()).toBe('lenient');
    expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_SHARED_VERSION_CONFLICT', package: 'jsonwebtoken', version: '2.1.0' }));
  });
});

describe('the event stream', () => {
  it('reconnects after the registry restarts and still picks up the next move', async () => {
    const host = mesh({ recheckIntervalMs: 3_600_000 });
    const live = host.live<Greeter>('demo/greeter');
    expect(await greeting(live)).toBe('hello from 1.0.0');
    await pollUntil('the event stream is up', async () => (host.status().events === 'connected' ? true : undefined));

    const restarted = await registry.restart();
    expect(restarted).toBe(registry.url);
    await registry.publish('demo', '1.1.0', greeterRelease(`exports.greet = () => 'hello from 1.1.0'`), greeterExposes());
    await registry.moveTag('demo', 'stable', '1.1.0');
    await pollUntil('the host runs 1.1.0', async () => (live.version() === '1.1.0' ? true : undefined));
    expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_EVENTS_DISCONNECTED' }));
  });
});

describe('observability', () => {
  it('reports which release it runs to the registry, which lists it as a consumer', async () => {
    const host = mesh({ reportIntervalMs: 100, service: 'greeting-service' });
    await host.import('demo/greeter');
    const consumers = await pollUntil('the registry lists the host', async () => {
      const body = (await (await fetch(`${registry.url}/v1/remotes/demo/consumers`)).json()) as { consumers: { service: string; remotes: unknown[] }[] };
      return body.consumers.length > 0 ? body.consumers : undefined;
    });
    expect(consumers).toEqual([
      expect.objectContaining({
        instanceId: host.status().instanceId,
        service: 'greeting-service',
        remotes: [expect.objectContaining({ name: 'demo', version: '1.0.0' })],
      }),
    ]);
    expect(host.metrics()).toContain('modmesh_runtime_loads_total{remote="demo",source="registry",result="loaded"} 1');
  });
});
