// Invariant 9: the replay rule holds across restarts. A host that verified and ran demo@stable
// at 1.1.0 (the tag's move #2) is restarted on the same cache while something between it and the
// registry (or the registry itself) answers `stable` with the older statement 1.0.0 at move #1.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { greeterRelease, startLiveRegistry, type LiveRegistry as TestRegistry } from '@modmesh/registry-test-utils';
import { type FaultProxy, startFaultProxy } from '@modmesh/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from './log.js';
import { createMesh, type Mesh } from './mesh.js';

interface Greeter {
  greet(): string;
}

const RESOLVE_STABLE = '/v1/remotes/demo/resolve/stable';
let registry: TestRegistry;
let proxy: FaultProxy;
let cacheDir: string;
let logs: { level: string; msg: string; code?: unknown; version?: unknown; offered?: unknown }[];
let replayed: string;

function exposes() {
  return { containers: [{ target: 'node' as const, name: 'demo', entry: 'remoteEntry.js', exposes: [{ name: './greeter' }], shared: [] }] };
}

/** A host on `cacheDir`, through the proxy, run until its first import answers; then closed, as a process would stop. */
async function start(): Promise<{ greeting: string; status: ReturnType<Mesh['status']>['remotes'][string] }> {
  const log: Logger = (level, msg, fields) => void logs.push({ level, msg, ...fields });
  const mesh = createMesh({
    registry: proxy.url,
    remotes: { demo: 'demo@stable' },
    trust: { demo: [registry.publisher.publicKey] },
    cacheDir,
    watch: false,
    reportIntervalMs: 0,
    log,
  });
  try {
    const greeting = (await mesh.import<Greeter>('demo/greeter')).greet();
    return { greeting, status: mesh.status().remotes.demo as ReturnType<Mesh['status']>['remotes'][string] };
  } finally {
    await mesh.close();
  }
}

function storedState(): { version: string; seq: number } {
  return JSON.parse(readFileSync(path.join(cacheDir, 'state', 'demo@stable.json'), 'utf8'));
}

beforeEach(async () => {
  registry = await startLiveRegistry(['demo']);
  proxy = await startFaultProxy(registry.url);
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-cache-'));
  logs = [];
  await registry.publish('demo', '1.0.0', greeterRelease(`exports.greet = () => 'hello from 1.0.0'`), exposes());
  await registry.publish('demo', '1.1.0', greeterRelease(`exports.greet = () => 'hello from 1.1.0'`), exposes());
  await registry.moveTag('demo', 'stable', '1.0.0');
  // The registry's signed answer for stable at move #1, kept by whoever will replay it.
  replayed = await (await fetch(`${registry.url}${RESOLVE_STABLE}?include=release`)).text();
  await registry.moveTag('demo', 'stable', '1.1.0');
});
afterEach(async () => {
  await proxy.close();
  await registry.close();
});

describe('a host restarted while the registry replays an older state of a tag', () => {
  it('refuses it with MODMESH_REPLAY_REFUSED and boots from the release it verified, restart after restart', async () => {
    expect(await start()).toMatchObject({ greeting: 'hello from 1.1.0', status: { source: 'registry', tagSeq: 2 } });

    proxy.setFault(
      { kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: replayed },
      { only: (url) => url.startsWith(RESOLVE_STABLE) },
    );
    for (let restart = 1; restart <= 2; restart += 1) {
      expect({ restart, ...(await start()) }).toMatchObject({
        restart,
        greeting: 'hello from 1.1.0',
        status: { version: '1.1.0', source: 'cache', tagSeq: 2 },
      });
      expect(storedState()).toMatchObject({ version: '1.1.0', seq: 2 });
    }
    expect(logs.filter((line) => line.code === 'MODMESH_REPLAY_REFUSED')).toEqual([
      expect.objectContaining({ version: '1.1.0', offered: '1.0.0' }),
      expect.objectContaining({ version: '1.1.0', offered: '1.0.0' }),
    ]);
    expect(logs.some((line) => line.msg.includes('running 1.0.0'))).toBe(false);
  });

  it('still takes a rollback, which is a newer move of the tag, after a restart', async () => {
    await start();
    await registry.rollback('demo', 'stable');
    expect(await start()).toMatchObject({ greeting: 'hello from 1.0.0', status: { source: 'registry', tagSeq: 3 } });
    expect(storedState()).toMatchObject({ version: '1.0.0', seq: 3 });
  });
});
