// Faults under load: autocannon drives the user service's GET /profile at a steady rate while,
// one scenario at a time, the registry is killed, the auth service is killed, or the user
// service's connection to the registry turns slow, drops, truncates or answers garbage. During
// each fault a new release is published and stable moved to it, so the host has to fetch
// through the fault. What a user would notice is asserted: no failed request on the loaded
// route, the fault as a coded log line and a metric, and the new release running once the
// fault is over, without restarting the host.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { counter, type Fault, type FaultOptions, type LoadResult, pollUntil, startLoad, stopAllServices } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MeshSystem, RECOVERY_DEADLINE_MS, startMeshSystem } from './mesh-system.js';
import { byLevel } from './record.js';
import { createTally, type Tally } from './tally.js';

/** Requests per second on /profile, over 4 connections. */
const RATE = byLevel(100, 150);
/** Each trial keeps the load on at least this long. */
const LOAD_MS = byLevel(3000, 8000);
/** A fault lasts at least this long once the host has met it (the fault's length, not a wait for something). */
const FAULT_MS = byLevel(1500, 4000);
const PROXY_TRIALS = byLevel(1, 4);
const KILL_TRIALS = byLevel(2, 6);
/** The user service's registry deadlines are 1.5 s to the first byte, 4.5 s in all. */
const SLOW_MS = 4000;
/** How long a trial may take before vitest gives up on it. */
const TRIAL_TIMEOUT_MS = 60_000;

const FILES = (url: string) => url.startsWith('/v1/blobs/');
const RESOLVES = (url: string) => url.includes('/resolve/');

interface ProxyScenario {
  name: string;
  fault: Fault;
  /** The requests the fault hits, trial by trial (they alternate), and the code the host logs and counts for it. */
  targets: { label: string; options: FaultOptions; code: string }[];
}

const PROXY_SCENARIOS: ProxyScenario[] = [
  {
    name: 'registry slow (4 s per answer)',
    fault: { kind: 'slow', delayMs: SLOW_MS },
    targets: [
      { label: 'every request', options: {}, code: 'MODMESH_REMOTE_TIMEOUT' },
      { label: 'files', options: { only: FILES }, code: 'MODMESH_REMOTE_TIMEOUT' },
    ],
  },
  {
    name: 'connections dropped mid-body',
    fault: { kind: 'drop' },
    targets: [
      { label: 'files', options: { only: FILES }, code: 'MODMESH_REMOTE_INCOMPLETE' },
      { label: 'every request, open streams cut', options: { cutOpen: true }, code: 'MODMESH_REMOTE_INCOMPLETE' },
    ],
  },
  {
    name: 'registry answers 500',
    fault: { kind: 'status', status: 500 },
    targets: [
      { label: 'every request', options: {}, code: 'MODMESH_REMOTE_BAD_STATUS' },
      { label: 'files', options: { only: FILES }, code: 'MODMESH_REMOTE_BAD_STATUS' },
    ],
  },
  {
    name: 'truncated bodies',
    fault: { kind: 'truncate' },
    targets: [
      { label: 'files', options: { only: FILES }, code: 'MODMESH_REMOTE_INCOMPLETE' },
      // Cut JSON that still looks complete at the HTTP level: only parsing it shows it is not.
      { label: 'resolve answers', options: { only: RESOLVES }, code: 'MODMESH_REMOTE_MANIFEST_INVALID' },
    ],
  },
  {
    name: 'an HTML page instead of the registry',
    fault: { kind: 'html' },
    targets: [
      { label: 'every request', options: {}, code: 'MODMESH_REMOTE_BAD_CONTENT_TYPE' },
      { label: 'files', options: { only: FILES }, code: 'MODMESH_REMOTE_BAD_CONTENT_TYPE' },
    ],
  },
];

const authBuild = inject('authBuild');
const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-chaos-faults-'));
let system: MeshSystem;
const publishedVersions: string[] = [];

beforeAll(async () => {
  system = await startMeshSystem({ work, authBuild });
  publishedVersions.push(system.stable);
});
afterAll(async () => {
  await system?.proxy.close();
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

describe('faults under load: /profile never fails, every fault is coded, the host recovers by itself', () => {
  it(`registry SIGKILL and restart on the same data dir (${KILL_TRIALS} trials)`, { timeout: KILL_TRIALS * TRIAL_TIMEOUT_MS }, async () => {
    const tally = createTally('registry SIGKILL under load');
    for (let trial = 0; trial < KILL_TRIALS; trial++) {
      // Every other kill lands while the host is fetching a new release: the proxy holds its
      // file requests until the registry is dead.
      const midFetch = trial % 2 === 1;
      await underLoad(tally, `registry SIGKILL${midFetch ? ' mid-fetch' : ''} #${trial + 1}`, {
        async during(version) {
          if (midFetch) {
            system.proxy.setFault({ kind: 'slow', delayMs: 1000 }, { only: FILES });
            const held = system.proxy.stats().faulted;
            await system.publish(version);
            await pollUntil('the host fetches the new release', async () => (system.proxy.stats().faulted > held ? true : undefined));
          }
          await system.killRegistry();
          system.proxy.setFault(undefined);
          // Mid-fetch, the swap fails too: the files held at the proxy find the registry gone.
          const codes = midFetch ? ['MODMESH_EVENTS_DISCONNECTED', 'MODMESH_SWAP_REFUSED'] : ['MODMESH_EVENTS_DISCONNECTED'];
          return { codes, metric: ['modmesh_runtime_event_stream_disconnects_total', {}] };
        },
        async after(version) {
          await system.restartRegistry();
          // Published as soon as the registry is back, before the host has reconnected.
          if (!midFetch) await system.publish(version);
        },
      });
    }
    finish(tally);
  });

  it('auth service SIGKILL: tokens it issued keep working, and a restarted one issues tokens the host accepts', { timeout: TRIAL_TIMEOUT_MS }, async () => {
    const tally = createTally('auth service SIGKILL under load');
    await underLoad(tally, 'auth SIGKILL', {
      async during(version) {
        await system.killAuth();
        tally.requests(1);
        const refused = await system.login().then(
          () => false,
          () => true,
        );
        tally.check(refused, 'a login succeeded while the auth service was dead');
        await system.publish(version);
        // The host never calls the auth service: there is nothing for it to log or count.
        return undefined;
      },
      async after() {
        await system.restartAuth();
      },
    });
    tally.requests(2);
    const login = await system.login();
    const profile = await fetch(`${system.user.url}/profile`, { headers: { authorization: `Bearer ${login.body.token}` }, signal: AbortSignal.timeout(5000) });
    tally.check(login.status === 200 && profile.status === 200, `after the restart: login ${login.status}, /profile with its token ${profile.status}`);
    finish(tally);
  });

  for (const scenario of PROXY_SCENARIOS) {
    it(`${scenario.name} (${PROXY_TRIALS} trials)`, { timeout: PROXY_TRIALS * TRIAL_TIMEOUT_MS }, async () => {
      const tally = createTally(scenario.name);
      for (let trial = 0; trial < PROXY_TRIALS; trial++) {
        const target = scenario.targets[trial % scenario.targets.length]!;
        await underLoad(tally, `${scenario.name}, ${target.label} #${trial + 1}`, {
          async during(version) {
            system.proxy.setFault(scenario.fault, target.options);
            await system.publish(version);
            return { codes: [target.code], metric: ['modmesh_runtime_registry_failures_total', { remote: 'auth', code: target.code }] };
          },
          async after() {
            system.proxy.setFault(undefined);
          },
        });
      }
      finish(tally);
    });
  }
});

// --- internal ---

interface Trial {
  /** Starts the fault (publishing a release into it, or not); says how the host shows it: every code logged, a counter grown. */
  during(version: string): Promise<{ codes: string[]; metric: [string, Record<string, string>] } | undefined>;
  /** Ends the fault (and publishes, if that could not happen during it). */
  after(version: string): Promise<void>;
}

// One trial: load on, fault on, a release published into it, fault off, recovery, load off.
async function underLoad(tally: Tally, label: string, trial: Trial): Promise<void> {
  tally.trial();
  // Each fault starts from a healthy system: the host follows the registry's events again.
  await pollUntil('the host follows the registry’s events', async () => ((await system.health()).events === 'connected' ? true : undefined), {
    deadlineMs: RECOVERY_DEADLINE_MS,
  });
  const version = system.nextVersion();
  const logMark = system.user.logs.length;
  const metricsBefore = await system.metrics();
  const started = performance.now();
  const load = startLoad({ url: `${system.user.url}/profile`, headers: { authorization: `Bearer ${system.token}` }, rate: RATE });
  let result: LoadResult | undefined;
  try {
    await pollUntil('the load is running', async () => (load.requests() >= 10 ? true : undefined));
    const faultStarted = performance.now();
    const shows = await trial.during(version);
    if (shows) {
      const seen = await pollUntil(`${label}: coded log lines`, async () => codedLines(logMark, shows.codes), { deadlineMs: 15_000 }).catch(() => undefined);
      tally.check(seen !== undefined, `${label}: the user service did not log all of ${shows.codes.join(', ')} (it logged: ${codesSince(logMark)})`);
    }
    await delay(Math.max(0, faultStarted + FAULT_MS - performance.now()));
    await trial.after(version);
    publishedVersions.push(version);

    const recovered = await system.waitForVersion(version).then(
      () => true,
      (error: Error) => error,
    );
    tally.check(recovered === true, `${label}: the host did not pick up ${version} after the fault: ${recovered}`);
    await delay(Math.max(0, started + LOAD_MS - performance.now()));
    result = await load.stop();

    if (shows) {
      const [name, labels] = shows.metric;
      const grew = counter(await system.metrics(), name, labels) - counter(metricsBefore, name, labels);
      tally.check(grew > 0, `${label}: ${name}${JSON.stringify(labels)} did not grow`);
    }
  } finally {
    result ??= await load.stop();
    system.proxy.setFault(undefined);
  }
  tally.requests(result.requests);
  tally.check(result.requests > 0 && result.non2xx + result.errors === 0, `${label}: /profile failed under load: ${describeLoad(result)}`);

  const { versions, stable } = await system.published();
  const missing = publishedVersions.filter((published) => !versions.includes(published));
  tally.lost(missing.length, `${label}: releases no longer listed: ${missing.join(', ')}`);
  tally.lost(stable === version ? 0 : 1, `${label}: stable points at ${stable}, not ${version}`);
}

function codedLines(mark: number, codes: string[]): true | undefined {
  const lines = system.user.logs.slice(mark);
  return codes.every((code) => lines.some((line) => line.code === code || line.cause === code)) ? true : undefined;
}

function codesSince(mark: number): string {
  const lines = system.user.logs.slice(mark).filter((line) => line.code);
  return lines.map((line) => `${line.code}${line.cause ? `<-${line.cause}` : ''}`).join(', ') || 'no coded line';
}

function describeLoad(result: LoadResult): string {
  return `${result.requests} requests, ${result.non2xx} non-2xx, ${result.errors} errors, statuses ${JSON.stringify(result.statuses)}`;
}

function finish(tally: Tally): void {
  tally.record();
  expect(tally.problems).toEqual([]);
}
