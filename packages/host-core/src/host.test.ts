// The host lifecycle driven through fake ports: no network, no bundles. Each case is one thing a
// Node host and a page must both do the same way.
import type { ConsumerReport, Exchange, ResolvedRelease, Transport } from '@modmesh/api';
import { ModmeshError } from '@modmesh/manifest/web';
import { afterEach, describe, expect, it } from 'vitest';
import type { Federation } from './federation.js';
import { createHost, type Host, type HostOptions } from './host.js';
import type { CoreRelease } from './release.js';
import { createMemoryStateStore } from './replay.js';

type Module = Record<string, () => string>;

interface FakeRegistry {
  /** What `resolve` answers for `name@spec`, or the error it throws. */
  answers: Map<string, { version: string; seq?: number; kind?: 'move' | 'rollback' } | ModmeshError>;
  resolves: string[];
  /** The module each version's `./greeter` is. */
  modules: Map<string, Module>;
  /** Versions whose acquire fails, with the error. */
  broken: Map<string, ModmeshError>;
  acquired: string[];
  events: EventFeed;
}

const hosts: Host<CoreRelease>[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

function fakeRegistry(): FakeRegistry {
  return { answers: new Map(), resolves: [], modules: new Map(), broken: new Map(), acquired: [], events: eventFeed() };
}

function greeter(version: string): Module {
  return { greet: () => `hello from ${version}` };
}

function start(registry: FakeRegistry, overrides: Partial<HostOptions<CoreRelease>> = {}) {
  const logs: { level: string; msg: string; code?: unknown }[] = [];
  const changes: { alias: string; from: string | undefined; to: string }[] = [];
  const host = createHost<CoreRelease>({
    remotes: { demo: 'demo@stable' },
    client: {
      url: 'http://registry.test',
      async resolve(name, spec) {
        registry.resolves.push(`${name}@${spec}`);
        const answer = registry.answers.get(`${name}@${spec}`);
        if (!answer) throw new ModmeshError('MODMESH_NOT_FOUND', `${name}@${spec} is not published`, { remote: name });
        if (answer instanceof ModmeshError) throw answer;
        return {
          name,
          spec,
          version: answer.version,
          ...(answer.seq !== undefined && { tag: { name: spec, seq: answer.seq, updatedAt: '', kind: answer.kind ?? 'move' } }),
          release: { manifest: {}, signature: {}, publishedAt: '', publishedBy: 'test' },
        } satisfies ResolvedRelease;
      },
      report: async () => ({ instanceId: 'i', lastSeen: '' }),
      forget: async () => {},
    },
    transport: registry.events.transport,
    async acquire(remote, answer) {
      registry.acquired.push(answer.version);
      const broken = registry.broken.get(answer.version);
      if (broken) throw broken;
      return release(remote.name, answer.version, answer.tag && { name: answer.tag.name, seq: answer.tag.seq, kind: answer.tag.kind });
    },
    states: createMemoryStateStore(),
    federation: fakeFederation(registry),
    hostShared: {},
    instanceId: 'test-host',
    service: 'test',
    kind: 'node',
    boot: 'eager',
    recheckIntervalMs: 0,
    reportIntervalMs: 0,
    log: (level, msg, fields) => void logs.push({ level, msg, ...fields }),
    counters: { inc: () => {} },
    onChange: (change) => void changes.push({ alias: change.alias, from: change.from, to: change.to }),
    ...overrides,
  });
  hosts.push(host);
  const greet = async (deadlineMs = 2000) => {
    const { slot, expose } = host.slotOf('demo/greeter');
    await slot.ready(deadlineMs);
    return ((await slot.module(expose)) as Module).greet?.();
  };
  return { host, logs, changes, greet };
}

describe('booting', () => {
  it('runs the release the tag names, and says so once', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const { host, greet, changes } = start(registry);
    expect(await greet()).toBe('hello from 1.0.0');
    expect(host.statuses().demo).toMatchObject({ state: 'ready', version: '1.0.0', source: 'registry', tagSeq: 1 });
    // Told after the task that loaded it (a page's first module use goes first).
    await until(() => changes.length > 0);
    expect(changes).toEqual([{ alias: 'demo', from: undefined, to: '1.0.0' }]);
  });

  it('a page (lazy) loads a remote only when it is first used, and a check never loads one nobody used', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const { host, greet } = start(registry, { boot: 'lazy' });
    host.slot('demo')?.update('periodic check');
    expect(registry.resolves).toEqual([]);
    expect(host.statuses().demo?.state).toBe('idle');
    expect(await greet()).toBe('hello from 1.0.0');
    expect(registry.resolves).toEqual(['demo@stable']);
  });

  it('with the registry down and nothing cached: the failure, coded, then a retry with backoff that recovers by itself', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', new ModmeshError('MODMESH_REMOTE_UNREACHABLE', 'no connection', { remote: 'demo' }));
    const { host, greet } = start(registry);
    await expect(greet()).rejects.toMatchObject({ code: 'MODMESH_REMOTE_UNREACHABLE' });
    expect(host.statuses().demo).toMatchObject({ state: 'failed', lastError: expect.objectContaining({ code: 'MODMESH_REMOTE_UNREACHABLE' }) });
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    await until(() => host.statuses().demo?.version === '1.0.0');
    expect(registry.resolves.length).toBeGreaterThan(1);
  });

  it('with the registry down, boots from the cache port, and says so with a code', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', new ModmeshError('MODMESH_REMOTE_TIMEOUT', 'no answer', { remote: 'demo' }));
    const { host, greet, logs } = start(registry, { fromCache: async (remote) => ({ ...release(remote.name, '0.9.0'), source: 'cache' }) });
    expect(await greet()).toBe('hello from 0.9.0');
    expect(host.statuses().demo).toMatchObject({ source: 'cache', version: '0.9.0' });
    expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_BOOTED_FROM_CACHE' }));
  });

  it('refuses, at boot, an answer older than the highest state verified before (no replay across restarts)', async () => {
    const registry = fakeRegistry();
    const states = createMemoryStateStore();
    await states.write({ name: 'demo', spec: 'stable', version: '1.1.0', seq: 2, verifiedAt: '' });
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const { host, greet, logs } = start(registry, { states, fromCache: async (remote) => ({ ...release(remote.name, '1.1.0'), source: 'cache' }) });
    expect(await greet()).toBe('hello from 1.1.0');
    expect(registry.acquired).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ code: 'MODMESH_REPLAY_REFUSED' }));
    expect(await states.read('demo', 'stable')).toMatchObject({ version: '1.1.0', seq: 2 });
    expect(host.statuses().demo?.version).toBe('1.1.0');
  });
});

describe('swapping', () => {
  it('a move swaps to the new release; holders of the old module keep it', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const { host, greet, changes } = start(registry);
    expect(await greet()).toBe('hello from 1.0.0');
    const old = host.slot('demo')?.modules().get('./greeter') as Module | undefined;
    registry.answers.set('demo@stable', { version: '1.1.0', seq: 2 });
    host.slot('demo')?.update('test');
    await until(() => host.statuses().demo?.version === '1.1.0');
    expect(await greet()).toBe('hello from 1.1.0');
    expect(old?.greet?.()).toBe('hello from 1.0.0');
    await until(() => changes.length > 1);
    expect(changes.at(-1)).toEqual({ alias: 'demo', from: '1.0.0', to: '1.1.0' });
  });

  it('serves the new release at once, and says it swapped only once its state is kept (a host stopped then boots it)', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const memory = createMemoryStateStore();
    const kept: string[] = [];
    let letWrite: () => void = () => {};
    const writing = new Promise<void>((resolve) => {
      letWrite = resolve;
    });
    const states: typeof memory = {
      read: memory.read,
      async write(state) {
        if (state.version === '1.1.0') await writing;
        const written = await memory.write(state);
        kept.push(state.version);
        return written;
      },
    };
    const keptWhenSaid: string[][] = [];
    const { host, greet, logs } = start(registry, {
      states,
      log: (level, msg, fields) => {
        if (msg.includes('swapped')) keptWhenSaid.push([...kept]);
        logs.push({ level, msg, ...fields });
      },
    });
    expect(await greet()).toBe('hello from 1.0.0');
    registry.answers.set('demo@stable', { version: '1.1.0', seq: 2 });
    host.slot('demo')?.update('test');
    try {
      await until(() => host.statuses().demo?.version === '1.1.0');
      expect(await greet()).toBe('hello from 1.1.0');
      await settle();
      expect(logs.filter((line) => line.msg.includes('swapped'))).toEqual([]);
    } finally {
      // Whatever happened, the write goes on (close() waits for it).
      letWrite();
    }
    await until(() => keptWhenSaid.length > 0);
    expect(keptWhenSaid).toEqual([['1.0.0', '1.1.0']]);
  });

  it('refuses a release that lacks an export in use, and keeps serving the old one', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const { host, greet, logs } = start(registry);
    expect(await greet()).toBe('hello from 1.0.0');
    registry.modules.set('1.1.0', { wave: () => 'no greet here' });
    registry.answers.set('demo@stable', { version: '1.1.0', seq: 2 });
    host.slot('demo')?.update('test');
    await until(() => logs.some((line) => line.code === 'MODMESH_SWAP_REFUSED'));
    expect(await greet()).toBe('hello from 1.0.0');
  });

  it('refuses a bad release once: the same offer is not fetched and refused again', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const { host, greet } = start(registry);
    expect(await greet()).toBe('hello from 1.0.0');
    registry.broken.set('1.1.0', new ModmeshError('MODMESH_HASH_MISMATCH', 'altered', { remote: 'demo', version: '1.1.0' }));
    registry.answers.set('demo@stable', { version: '1.1.0', seq: 2 });
    host.slot('demo')?.update('first');
    await until(() => registry.acquired.includes('1.1.0'));
    await until(() => registry.resolves.length === 2);
    host.slot('demo')?.update('second');
    await until(() => registry.resolves.length === 3);
    await settle();
    expect(registry.acquired.filter((version) => version === '1.1.0')).toHaveLength(1);
    expect(host.statuses().demo?.version).toBe('1.0.0');
  });

  it('retries an update that failed on the network, by itself, until it gets through', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const { host, greet } = start(registry);
    expect(await greet()).toBe('hello from 1.0.0');
    registry.answers.set('demo@stable', new ModmeshError('MODMESH_REMOTE_BAD_STATUS', 'HTTP 500', { remote: 'demo' }));
    host.slot('demo')?.update('move');
    await until(() => registry.resolves.length >= 3);
    registry.answers.set('demo@stable', { version: '1.1.0', seq: 2 });
    await until(() => host.statuses().demo?.version === '1.1.0');
  });

  it('a range takes only newer matching releases', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@^1', { version: '1.2.0' });
    const { host, greet } = start(registry, { remotes: { demo: 'demo@^1' } });
    expect(await greet()).toBe('hello from 1.2.0');
    registry.answers.set('demo@^1', { version: '1.1.0' });
    host.slot('demo')?.update('published');
    await until(() => registry.resolves.length === 2);
    await settle();
    expect(registry.acquired).toEqual(['1.2.0']);
  });
});

describe('the replay rule', () => {
  for (const [what, offer, accepted] of [
    ['an older version without a rollback', { version: '1.0.0', seq: 3, kind: 'move' }, false],
    ['an older move of the tag', { version: '1.2.0', seq: 1, kind: 'move' }, false],
    ['an older version by a rollback', { version: '1.0.0', seq: 3, kind: 'rollback' }, true],
  ] as const) {
    it(`${accepted ? 'accepts' : 'refuses'} ${what}`, async () => {
      const registry = fakeRegistry();
      registry.answers.set('demo@stable', { version: '1.1.0', seq: 2 });
      const { host, greet, logs } = start(registry);
      expect(await greet()).toBe('hello from 1.1.0');
      registry.answers.set('demo@stable', offer);
      host.slot('demo')?.update('move');
      if (accepted) await until(() => host.statuses().demo?.version === offer.version);
      else await until(() => logs.some((line) => line.code === 'MODMESH_REPLAY_REFUSED'));
      expect(host.statuses().demo?.version).toBe(accepted ? offer.version : '1.1.0');
    });
  }
});

describe('registry events', () => {
  it('a move of the tag a slot follows updates it; events about other remotes and tags do not', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    registry.answers.set('other@stable', { version: '3.0.0', seq: 1 });
    const { host, greet } = start(registry, { remotes: { demo: 'demo@stable', other: 'other@stable' } });
    expect(await greet()).toBe('hello from 1.0.0');
    await until(() => host.events() === 'connected');
    const before = registry.resolves.length;
    registry.events.send(1, 'tag.moved', { name: 'demo', tag: 'canary', from: null, to: '2.0.0', kind: 'move', actor: 'a', reason: '', at: '', seq: 1 });
    registry.events.send(2, 'release.published', { name: 'demo', version: '2.0.0', publishedBy: 'a', at: '' });
    registry.answers.set('other@stable', { version: '3.1.0', seq: 2 });
    registry.events.send(3, 'tag.moved', { name: 'other', tag: 'stable', from: '3.0.0', to: '3.1.0', kind: 'move', actor: 'a', reason: '', at: '', seq: 2 });
    await until(() => host.statuses().other?.version === '3.1.0');
    expect(registry.resolves.slice(before)).toEqual(['other@stable']);
  });
});

describe('reports', () => {
  it('tell the registry which release runs and which packages the host provides to its remotes', async () => {
    const registry = fakeRegistry();
    registry.answers.set('demo@stable', { version: '1.0.0', seq: 1 });
    const reports: ConsumerReport[] = [];
    const { greet } = start(registry, {
      reportIntervalMs: 60_000,
      hostShared: { jsonwebtoken: { version: '9.0.3' } },
      client: {
        url: 'http://registry.test',
        resolve: async (name, spec) => ({
          name,
          spec,
          version: '1.0.0',
          tag: { name: spec, seq: 1, updatedAt: '', kind: 'move' },
          release: { manifest: {}, signature: {}, publishedAt: '', publishedBy: 'test' },
        }),
        report: async (report) => {
          reports.push(report);
          return { instanceId: report.instanceId, lastSeen: '' };
        },
        forget: async () => {},
      },
    });
    expect(await greet()).toBe('hello from 1.0.0');
    await until(() => reports.length > 0);
    expect(reports[0]).toEqual({
      instanceId: 'test-host',
      service: 'test',
      kind: 'node',
      remotes: [{ name: 'demo', version: '1.0.0', since: expect.any(String) }],
      shared: [{ name: 'jsonwebtoken', version: '9.0.3' }],
    });
  });
});

// --- internal ---

function release(name: string, version: string, tag?: CoreRelease['tag']): CoreRelease {
  return {
    name,
    version,
    manifest: { files: [{ path: 'remoteEntry.js', size: 1, sha256: 'a'.repeat(64) }] } as unknown as CoreRelease['manifest'],
    container: { target: 'node', name, entry: 'remoteEntry.js', exposes: [{ name: './greeter' }], shared: [] },
    ...(tag && { tag }),
    source: 'registry',
  };
}

// Installs a version's modules from the fake registry's table; nothing is evaluated.
function fakeFederation(registry: FakeRegistry): Federation<CoreRelease> {
  const current = new Map<string, CoreRelease>();
  const moduleOf = (release: CoreRelease) => registry.modules.get(release.version) ?? greeter(release.version);
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

interface EventFeed {
  transport: Transport;
  send(id: number, type: string, data: unknown): void;
}

// A registry event stream the test writes to, through a Transport (what the host gets).
function eventFeed(): EventFeed {
  const encoder = new TextEncoder();
  const waiting: ((chunk: Uint8Array) => void)[] = [];
  const queued: Uint8Array[] = [];
  const push = (chunk: Uint8Array) => {
    const next = waiting.shift();
    if (next) next(chunk);
    else queued.push(chunk);
  };
  return {
    transport: {
      async send(request) {
        const exchange: Exchange = {
          status: 200,
          header: (name) => (name === 'content-type' ? 'text/event-stream' : undefined),
          body: async () => new Uint8Array(),
          async *chunks() {
            for (;;) {
              if (request.signal?.aborted) return;
              yield queued.shift() ?? (await new Promise<Uint8Array>((resolve) => waiting.push(resolve)));
            }
          },
          cancel: () => {},
        };
        return exchange;
      },
    },
    send(id, type, data) {
      push(encoder.encode(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`));
    },
  };
}

async function until(check: () => boolean, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not true in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// Lets every pending promise settle: what is asserted not to happen had its chance to.
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
