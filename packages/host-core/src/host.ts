import { type ConsumerReport, type EventStream, openEventStream, type RegistryClient, type Transport } from '@modmesh/api';
import type { ModmeshError } from '@modmesh/manifest/web';
import { concerns } from './concerns.js';
import type { Federation } from './federation.js';
import type { CoreRelease, Offer, StateStore } from './release.js';
import { type Counters, createRemoteSlot, type Logger, type RemoteSlot, type SlotStatus } from './slot.js';
import { parseModuleId, parseRemotes, type RemoteSpec } from './spec.js';
import type { Trust } from './trust.js';

export interface HostOptions<R extends CoreRelease> {
  remotes: Record<string, string>;
  /** The one registry client (from @modmesh/api), with the platform's transport. */
  client: Pick<RegistryClient, 'url' | 'resolve' | 'report' | 'forget'>;
  /** For the event stream (the same transport as the client's). */
  transport: Transport;
  token?: string | undefined;
  acquire(remote: RemoteSpec, offer: Offer): Promise<R>;
  /** A host configured with a root (TUF): which release each remote runs comes from the trusted metadata, never from the registry's word. */
  trust?: Trust | undefined;
  fromCache?: ((remote: RemoteSpec) => Promise<R | undefined>) | undefined;
  states: StateStore;
  federation: Federation<R>;
  hostShared: Record<string, { version: string }>;
  /** Who reports to the registry's consumers list. */
  instanceId: string;
  service: string;
  kind: ConsumerReport['kind'];
  /** Boot every remote at once (hosts), or each when first imported (pages). */
  boot: 'eager' | 'lazy';
  /** Follow the registry's event stream. @default true */
  watch?: boolean;
  /** Resume the event stream from: pages ask for `latest` (they resolve what they use when they use it). */
  eventsFrom?: string;
  /** How often to re-resolve every remote even without events; 0 turns it off. */
  recheckIntervalMs: number;
  /** How often to tell the registry what runs; 0 turns reporting off. */
  reportIntervalMs: number;
  log: Logger;
  counters: Counters;
  onChange?(change: { alias: string; remote: RemoteSpec; from: string | undefined; to: string }): void;
  onError?(alias: string, error: ModmeshError): void;
  /** CPU time the process has used so far, in microseconds, for the swap log (Node hosts). */
  cpuTime?: () => number;
}

export type EventsState = 'connected' | 'connecting' | 'disconnected' | 'off';

/** A remote whose trusted metadata expired: still served, but no fresh statement of it could be verified. */
export interface StaleState {
  code: 'MODMESH_STALE';
  /** The document that expired first (`timestamp`, `auth.tags`...). */
  role: string;
  since: string | undefined;
  forMs: number | undefined;
  /** Why the last update failed, if it did. */
  cause?: string | undefined;
}

export interface Host<R extends CoreRelease> {
  /** The slot of `alias`, and the expose a module id names (`auth/tokenValidator` → `./tokenValidator`). */
  slotOf(id: string): { slot: RemoteSlot<R>; expose: string };
  slot(alias: string): RemoteSlot<R> | undefined;
  /** Every remote's status, by alias (with `stale` when the host has a root and the remote's metadata expired). */
  statuses(): Record<string, SlotStatus & { stale?: StaleState }>;
  events(): EventsState;
  report(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every modmesh host does with the remotes it follows, Node host or page: one slot per
 * remote (slot.ts), the registry's event stream telling each slot what concerns it (and every
 * slot after a reconnect), a periodic re-check as a safety net, and reports of what runs.
 */
export function createHost<R extends CoreRelease>(options: HostOptions<R>): Host<R> {
  const specs = parseRemotes(options.remotes);
  let reporting: Promise<void> | undefined;
  const report = async (): Promise<void> => {
    if (options.reportIntervalMs === 0) return;
    const remotes = [...slots.values()].flatMap((slot) => {
      const status = slot.status();
      return status.version ? [{ name: status.name, version: status.version, since: status.since ?? '' }] : [];
    });
    if (remotes.length === 0 && options.kind === 'browser') return;
    const shared = Object.entries(options.hostShared).map(([name, { version }]) => ({ name, version }));
    reporting = options.client.report({ instanceId: options.instanceId, service: options.service, kind: options.kind, remotes, shared }).then(
      () => undefined,
      () => undefined,
    );
    await reporting;
  };

  const slots = new Map<string, RemoteSlot<R>>(
    specs.map((remote) => [
      remote.alias,
      createRemoteSlot<R>(remote, {
        resolve: (name, spec) => (options.trust ? options.trust.offer(name, spec) : options.client.resolve(name, spec)),
        acquire: options.acquire,
        fromCache: options.fromCache,
        states: options.states,
        federation: options.federation,
        hostShared: options.hostShared,
        log: options.log,
        counters: options.counters,
        cpuTime: options.cpuTime,
        onChange(change) {
          // After the task that swapped: what the release's first use still has to do (a page
          // fetching the module's chunk) goes first, listeners and the report after.
          setTimeout(() => {
            options.onChange?.({ alias: remote.alias, ...change });
            void report();
          }, 0);
        },
        onError: (_remote, error) => options.onError?.(remote.alias, error),
      }),
    ]),
  );

  let events: EventsState = 'off';
  let stream: EventStream | undefined;
  if (options.watch !== false) {
    events = 'connecting';
    stream = openEventStream({
      url: options.client.url,
      token: options.token,
      transport: options.transport,
      ...(options.eventsFrom !== undefined && { lastEventId: options.eventsFrom }),
      onEvent(event) {
        // With a root, an event is only a hint to fetch and verify the metadata (the registry's
        // word about a move is not taken): the slots follow what the new metadata says.
        if (options.trust) {
          if (event.type === 'tuf.updated') void refreshTrust(`${event.type} #${event.id}`);
          return;
        }
        for (const slot of slots.values()) if (concerns(slot.remote, event)) slot.update(`${event.type} #${event.id}`);
      },
      onConnected() {
        const wasDown = events === 'disconnected';
        events = 'connected';
        // Events resume from Last-Event-ID; a check after an outage also covers a registry that
        // lost its event history.
        if (wasDown) updateAll('event stream reconnected');
      },
      onDisconnected(reason, retryInMs) {
        if (events !== 'disconnected') options.log('warn', `registry event stream lost: ${reason}`, { code: 'MODMESH_EVENTS_DISCONNECTED', retryInMs });
        events = 'disconnected';
        options.counters.inc('modmesh_runtime_event_stream_disconnects_total', {});
      },
    });
  }
  const recheck = options.recheckIntervalMs === 0 ? undefined : setInterval(() => updateAll('periodic check'), options.recheckIntervalMs);
  const reporter = options.reportIntervalMs === 0 ? undefined : setInterval(() => void report(), options.reportIntervalMs);
  unref(recheck);
  unref(reporter);
  if (options.boot === 'eager') for (const slot of slots.values()) slot.boot();

  function updateAll(reason: string): void {
    if (options.trust) return void refreshTrust(reason);
    for (const slot of slots.values()) slot.update(reason);
  }

  // One trust cycle, then every slot looks at what the (possibly new) metadata offers it.
  async function refreshTrust(reason: string): Promise<void> {
    await options.trust?.refresh(reason).catch(() => false);
    for (const slot of slots.values()) slot.update(reason);
    checkStale();
  }

  // S: a remote whose metadata expired is said so once when it starts, and again every few minutes.
  const staleSince = new Map<string, number>();
  function checkStale(): void {
    if (!options.trust) return;
    for (const slot of slots.values()) {
      const { name } = slot.remote;
      const stale = options.trust.stale(name);
      options.counters.gauge?.('modmesh_runtime_trust_stale', { remote: name }, stale ? 1 : 0);
      options.counters.gauge?.('modmesh_runtime_trust_stale_seconds', { remote: name }, Math.round((stale?.forMs ?? 0) / 1000));
      if (!stale) {
        if (staleSince.delete(name)) options.log('info', `${name}: trusted metadata is fresh again`, { remote: name });
        continue;
      }
      const last = staleSince.get(name);
      if (last !== undefined && Date.now() - last < STALE_REPEAT_MS) continue;
      staleSince.set(name, Date.now());
      options.log(
        'warn',
        `${name}: no fresh trusted metadata since ${stale.since ?? 'the host started'}; still serving ${slot.status().version ?? 'nothing'}`,
        {
          code: 'MODMESH_STALE',
          remote: name,
          role: stale.role,
          since: stale.since,
          forMs: stale.forMs,
          cause: stale.cause,
        },
      );
    }
  }
  const staleTimer = options.trust ? setInterval(checkStale, STALE_CHECK_MS) : undefined;
  unref(staleTimer);
  if (options.trust) void options.trust.ready().then(checkStale, () => undefined);

  return {
    slotOf(id) {
      const { alias, expose } = parseModuleId(id, slots.keys());
      return { slot: slots.get(alias) as RemoteSlot<R>, expose };
    },
    slot: (alias) => slots.get(alias),
    statuses: () =>
      Object.fromEntries(
        [...slots].map(([alias, slot]) => {
          const stale = options.trust?.stale(slot.remote.name);
          return [alias, { ...slot.status(), ...(stale && { stale: { code: 'MODMESH_STALE' as const, ...stale } }) }];
        }),
      ),
    events: () => events,
    report,
    async close() {
      stream?.close();
      events = 'off';
      clearInterval(recheck);
      clearInterval(reporter);
      clearInterval(staleTimer);
      const kept = Promise.all([...slots.values()].map((slot) => slot.close()));
      await reporting;
      await kept;
      if (options.reportIntervalMs !== 0) await options.client.forget(options.instanceId).catch(() => {});
    },
  };
}

// --- internal ---

// How often a host with a root looks at whether its metadata expired, and how often it says so again.
const STALE_CHECK_MS = 15_000;
const STALE_REPEAT_MS = 5 * 60_000;

function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}
