// A host with a root (TUF): which release each remote runs comes only from the registry's signed
// metadata, verified from the root. Driven against a repository built with @modmesh/trust's
// builders and real keys (test/utils' createTufRepository), through fake ports for the rest.
import type { Exchange, Transport } from '@modmesh/api';
import { ModmeshError } from '@modmesh/manifest/web';
import { createTufRepository, type TufRepository } from '@modmesh/test-utils';
import { rotateRoot } from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import { afterEach, describe, expect, it } from 'vitest';
import type { Federation } from './federation.js';
import { createHost, type Host } from './host.js';
import type { CoreRelease } from './release.js';
import { createMemoryStateStore } from './replay.js';
import { createTrust, type TrustStore } from './trust.js';

const hosts: Host<CoreRelease>[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

interface Network {
  /** The registry as the host reaches it: the repository's files, unless `down` or a file is `replaced`. */
  down: boolean;
  replaced: Map<string, Uint8Array>;
}

function start(repo: TufRepository, options: { store?: TrustStore; network?: Network; now?: () => number } = {}) {
  const network = options.network ?? { down: false, replaced: new Map() };
  const logs: { level: string; msg: string; code?: unknown; cause?: unknown }[] = [];
  const log = (level: string, msg: string, fields?: Record<string, unknown>) => void logs.push({ level, msg, ...fields });
  const unreachable = () => new ModmeshError('MODMESH_REMOTE_UNREACHABLE', 'the registry is down');
  const trust = createTrust({
    root: repo.files.get('1.root.json') as Uint8Array,
    crypto: createNodeCrypto(),
    store: options.store ?? memoryStore(),
    async metadata(file) {
      if (network.down) throw unreachable();
      return network.replaced.get(file) ?? repo.files.get(file);
    },
    async target(path) {
      if (network.down) throw unreachable();
      const bytes = repo.targets.get(path);
      if (!bytes) throw new ModmeshError('MODMESH_NOT_FOUND', `no target ${path}`);
      return bytes;
    },
    remotes: ['auth'],
    log,
    counters: { inc: () => {} },
    ...(options.now && { now: options.now }),
  });
  const host = createHost<CoreRelease>({
    remotes: { auth: 'auth@stable' },
    client: {
      url: 'http://registry.test',
      resolve: async () => {
        throw new Error('a host with a root never takes the registry’s answer');
      },
      report: async () => ({ instanceId: 'i', lastSeen: '' }),
      forget: async () => {},
    },
    transport: silentTransport(),
    trust,
    async acquire(remote, offer) {
      if (!offer.manifest) throw new Error('a host with a root gets manifests verified by the trust');
      const container = offer.manifest.containers[0];
      if (!container) throw new Error('no container');
      return { name: remote.name, version: offer.version, manifest: offer.manifest, container, tag: offer.tag, source: 'registry' };
    },
    states: createMemoryStateStore(),
    federation: versionFederation(),
    hostShared: {},
    instanceId: 'test-host',
    service: 'test',
    kind: 'node',
    boot: 'eager',
    recheckIntervalMs: 0,
    reportIntervalMs: 0,
    log,
    counters: { inc: () => {} },
  });
  hosts.push(host);
  const running = async () => {
    const { slot, expose } = host.slotOf('auth/tokenValidator');
    await slot.ready(3000);
    return ((await slot.module(expose)) as { version: string }).version;
  };
  return { host, trust, logs, running, network };
}

describe('a host with a root', () => {
  it('runs the release the signed tag names, and follows a signed move', async () => {
    const repo = await createTufRepository();
    await repo.publish('auth', '1.0.0');
    await repo.moveTag('auth', 'stable', '1.0.0');
    const { host, trust, running } = start(repo);
    expect(await running()).toBe('1.0.0');
    expect(host.statuses().auth).toMatchObject({ version: '1.0.0', tagSeq: 1 });

    await repo.publish('auth', '1.1.0');
    await repo.moveTag('auth', 'stable', '1.1.0');
    await trust.refresh('test');
    host.slot('auth')?.update('test');
    await until(async () => (await running()) === '1.1.0');
  });

  it('refuses a registry that replays older metadata (a frozen or rolled-back view), keeps its release, and says it is stale once that expires', async () => {
    const repo = await createTufRepository();
    await repo.publish('auth', '1.0.0');
    await repo.moveTag('auth', 'stable', '1.0.0');
    const recorded = new Map(repo.files);
    await repo.publish('auth', '1.1.0');
    await repo.moveTag('auth', 'stable', '1.1.0');
    let clock = repo.now;
    const { host, trust, running, network, logs } = start(repo, { now: () => clock });
    expect(await running()).toBe('1.1.0');

    // From now on the host is answered with what was recorded before the move.
    for (const [file, bytes] of recorded) network.replaced.set(file, bytes);
    await trust.refresh('replayed');
    expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_META_ROLLBACK' }));
    host.slot('auth')?.update('replayed');
    expect(await running()).toBe('1.1.0');

    clock += 2 * 3_600_000;
    await trust.refresh('later');
    expect(host.statuses().auth?.stale).toMatchObject({ code: 'MODMESH_STALE', role: 'timestamp', forMs: expect.any(Number) });
    expect(await running()).toBe('1.1.0');
  });

  it('takes a signed rollback, and the later move after it, even when it missed both (the movers’ seq decides)', async () => {
    const repo = await createTufRepository();
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) await repo.publish('auth', version);
    await repo.moveTag('auth', 'stable', '1.2.0');
    const { host, trust, running } = start(repo);
    expect(await running()).toBe('1.2.0');
    await repo.moveTag('auth', 'stable', '1.0.0', { rollback: true });
    await repo.moveTag('auth', 'stable', '1.1.0');
    await trust.refresh('after two moves');
    host.slot('auth')?.update('test');
    await until(async () => (await running()) === '1.1.0');
    expect(host.statuses().auth?.tagSeq).toBe(3);
  });

  it('restarted with the registry down, boots from the metadata it kept, and says so', async () => {
    const repo = await createTufRepository();
    await repo.publish('auth', '1.0.0');
    await repo.moveTag('auth', 'stable', '1.0.0');
    const store = memoryStore();
    const first = start(repo, { store });
    expect(await first.running()).toBe('1.0.0');
    await first.host.close();

    const restarted = start(repo, { store, network: { down: true, replaced: new Map() } });
    expect(await restarted.running()).toBe('1.0.0');
    expect(restarted.logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_BOOTED_FROM_CACHE', cause: 'MODMESH_REMOTE_UNREACHABLE' }));
  });

  it('with nothing kept and the registry down: no release, a coded reason', async () => {
    const repo = await createTufRepository();
    await repo.publish('auth', '1.0.0');
    await repo.moveTag('auth', 'stable', '1.0.0');
    const { running } = start(repo, { network: { down: true, replaced: new Map() } });
    await expect(running()).rejects.toMatchObject({ code: 'MODMESH_NO_VERIFIED_RELEASE' });
  });

  it('keeps a new root once when cycles fail after walking to it, so that a restart walks the kept chain as it is', async () => {
    const repo = await createTufRepository();
    await repo.publish('auth', '1.0.0');
    await repo.moveTag('auth', 'stable', '1.0.0');
    const store = memoryStore();
    const first = start(repo, { store });
    expect(await first.running()).toBe('1.0.0');

    const v2 = await rotateRoot(repo.current.root.signed, { expires: repo.after(365) }, repo.crypto);
    repo.files.set('2.root.json', await repo.sign(v2, repo.keys.root.slice(0, 2)));
    // Every cycle now walks to root v2, then fails on the timestamp: the set (and its root) stays.
    first.network.replaced.set('timestamp.json', new TextEncoder().encode('{}'));
    for (const reason of ['first', 'second', 'third']) await first.trust.refresh(reason);
    expect(first.logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_META_INVALID' }));
    expect((await store.readRoots()).length).toBe(2);
    await first.host.close();

    first.network.replaced.clear();
    const restarted = start(repo, { store });
    expect(await restarted.running()).toBe('1.0.0');
    expect(restarted.trust.summary()?.rootVersion).toBe(2);
    expect(restarted.logs.filter((line) => line.code === 'MODMESH_ROOT_ROTATION_REFUSED')).toEqual([]);
  });

  it('refuses a root that is not signed by its own threshold, before anything else', async () => {
    const repo = await createTufRepository();
    const root = JSON.parse(new TextDecoder().decode(repo.files.get('1.root.json'))) as { signatures: unknown[] };
    root.signatures = root.signatures.slice(0, 1);
    repo.files.set('1.root.json', new TextEncoder().encode(JSON.stringify(root)));
    const { trust, running } = start(repo);
    await expect(trust.ready()).rejects.toMatchObject({ code: 'MODMESH_ROOT_INVALID' });
    await expect(running()).rejects.toMatchObject({ code: 'MODMESH_ROOT_INVALID' });
  });
});

// --- internal ---

function memoryStore(): TrustStore {
  let roots: Uint8Array[] = [];
  let set: unknown;
  const targets = new Map<string, Uint8Array>();
  return {
    readRoots: async () => roots,
    writeRoots: async (chain) => {
      roots = [...chain];
    },
    readSet: async () => set,
    writeSet: async (next) => {
      set = JSON.parse(JSON.stringify(next));
    },
    readTarget: async (sha256) => targets.get(sha256),
    writeTarget: async (sha256, bytes) => void targets.set(sha256, bytes),
  };
}

// Every install "loads" a module that says which version it is.
function versionFederation(): Federation<CoreRelease> {
  const current = new Map<string, CoreRelease>();
  const moduleOf = (release: CoreRelease) => ({ version: release.version });
  return {
    async install(remote, release, exposes, accept) {
      const modules = new Map<string, unknown>(exposes.map((expose) => [expose, moduleOf(release)]));
      accept?.(modules);
      current.set(remote, release);
      return modules;
    },
    async load(remote) {
      const release = current.get(remote);
      if (!release) throw new ModmeshError('MODMESH_NO_VERIFIED_RELEASE', 'none');
      return moduleOf(release);
    },
    evaluated: () => [],
    shared: () => ({}),
  };
}

// An event stream that never says anything: the tests drive refreshes themselves.
function silentTransport(): Transport {
  return {
    async send() {
      const exchange: Exchange = {
        status: 200,
        header: () => 'text/event-stream',
        body: async () => new Uint8Array(),
        async *chunks() {
          await new Promise(() => {});
        },
        cancel: () => {},
      };
      return exchange;
    },
  };
}

async function until(check: () => Promise<boolean>, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('not true in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
