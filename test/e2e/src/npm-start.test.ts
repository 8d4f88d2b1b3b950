// The README's quick start as a new user meets it: `npm start` (the script itself, through npm)
// in a copy of the repository with no dist/, .modmesh/ or .env, every port set to a free one.
// Each run is stopped the way a terminal's Ctrl-C stops it (SIGINT to its process group), and
// afterwards no process it started may be alive and every port must be free again.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { copyCheckout, freePort, pollUntil, requestJson, startSilentServer } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BANNER = 'modmesh example system is running';
// A first start builds every package and container: minutes on a busy 2-core machine.
const FIRST_START_DEADLINE_MS = 420_000;
const START_DEADLINE_MS = 180_000;
const STOP_DEADLINE_MS = 20_000;
const PORT_VARIABLES = ['REGISTRY_PORT', 'AUTH_SERVICE_PORT', 'USER_SERVICE_PORT', 'SHELL_PORT'] as const;
// A user's shell would not have these; the test runner's might.
const FOREIGN_ENV = /^(MODMESH_|AUTH_|USER_|SHELL_|REGISTRY_|NODE_ENV$|VITEST)/;

type Ports = Record<(typeof PORT_VARIABLES)[number], number>;

describe('npm start, from a fresh copy of the repository', { timeout: FIRST_START_DEADLINE_MS + 60_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-npm-start-'));
  const checkout = path.join(work, 'modmesh');
  let ports: Ports;

  beforeAll(async () => {
    await copyCheckout(checkout);
    ports = await freePorts();
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('starts from nothing: no build output, no local state, no .env', () => {
    for (const leftover of ['packages/runtime/dist', 'examples/auth-service/dist', '.modmesh', 'examples/auth-service/.env']) {
      expect(existsSync(path.join(checkout, leftover)), leftover).toBe(false);
    }
  });

  it('refuses a port in use before building anything, naming the service, the port and its variable, and leaves nothing running', async () => {
    const squatter = await startSilentServer();
    try {
      const run = startNpm(checkout, { ...ports, AUTH_SERVICE_PORT: squatter.port });
      const code = await run.exited(START_DEADLINE_MS);
      expect(code).not.toBe(0);
      expect(run.output()).toContain('MODMESH_PORT_IN_USE');
      expect(run.output()).toMatch(new RegExp(`auth-service cannot listen on 127\\.0\\.0\\.1:${squatter.port}`));
      expect(run.output()).toContain(`AUTH_SERVICE_PORT=`);
      expect(run.output()).not.toContain('> built');
      await expectAllGone(run, ports);
    } finally {
      await squatter.close();
    }
  });

  it('builds and runs the example system: login, /profile 200/401/403, the web shell and the dashboard', async () => {
    const run = startNpm(checkout, ports);
    const banner = await run.banner(FIRST_START_DEADLINE_MS);
    expect(banner).toContain(`http://127.0.0.1:${ports.SHELL_PORT}`);
    expect(banner).toContain('auth@1.0.0 and user@1.0.0 are tagged stable');
    await expectSystemWorks(ports);
    // The command the banner prints for a signed tag move, pasted into a shell as printed (for a
    // new tag, canary, rather than a VERSION to choose).
    const printed = run.output().match(/^ {4}(MODMESH_REGISTRY=.*) \\\n\s+(npx modmesh tag set auth stable VERSION .*) \[--rollback\]$/m);
    expect(printed, 'the tag move command in the banner').not.toBeNull();
    const [, variables, command] = printed as RegExpMatchArray;
    const moved = spawnSync('bash', ['-c', `${variables} ${command?.replace('auth stable VERSION', 'auth canary 1.0.0')}`], {
      cwd: checkout,
      encoding: 'utf8',
    });
    expect(moved.status, moved.stderr).toBe(0);
    expect(`${moved.stdout}${moved.stderr}`).toContain('canary: (new) -> 1.0.0');
    await run.interrupt();
    await expectAllGone(run, ports);
  });

  it('starts again without rebuilding what did not change, whatever trust the shell has set', async () => {
    // Left from running a host by hand: the example's services trust npm start's dev root only.
    const run = startNpm(checkout, { ...ports, MODMESH_TRUST_AUTH: 'ed25519:not-a-key', MODMESH_ROOT: path.join(work, 'missing-root.json') });
    await run.banner(START_DEADLINE_MS);
    expect(run.output()).not.toContain('> built');
    const upToDate =
      run
        .output()
        .match(/^> up to date: (.*)$/gm)
        ?.join(', ') ?? '';
    for (const step of ['@modmesh/runtime', '@modmesh-example/web-shell', 'auth Node container', 'auth browser container', 'user browser container']) {
      expect(upToDate).toContain(step);
    }
    expect(run.output()).toContain('auth@1.0.0 already holds this build');
    await expectSystemWorks(ports);
    await run.interrupt();
    await expectAllGone(run, ports);
  });

  it('rebuilds and republishes only what changed', async () => {
    appendFileSync(path.join(checkout, 'examples/user-service/src/ui/ProfileCard.tsx'), '\n// edited by the npm start test\n');
    const run = startNpm(checkout, ports);
    const banner = await run.banner(START_DEADLINE_MS);
    expect(run.output()).toContain('> built user browser container');
    expect(run.output()).not.toMatch(/> built (auth|@modmesh\/)/);
    expect(banner).toContain('auth@1.0.0 and user@1.0.1 are tagged stable');
    await expectSystemWorks(ports);
    await run.interrupt();
    await expectAllGone(run, ports);
  });

  it('stops everything, with a coded error naming the service, its port and variable, when a service cannot start', async () => {
    const run = startNpm(checkout, { ...ports, AUTH_LOGIN_MAX_FAILURES: 'many' });
    const code = await run.exited(START_DEADLINE_MS);
    expect(code).not.toBe(0);
    expect(run.output()).toContain('AUTH_CONFIG_INVALID');
    expect(run.output()).toContain(`MODMESH_START_FAILED: auth-service (port ${ports.AUTH_SERVICE_PORT}, AUTH_SERVICE_PORT)`);
    await expectAllGone(run, ports);
  });
});

// --- internal ---

interface NpmRun {
  /** Everything npm start printed so far. */
  output(): string;
  /** The banner, once printed; fails if npm start exits first or takes longer than `deadlineMs`. */
  banner(deadlineMs: number): Promise<string>;
  exited(deadlineMs: number): Promise<number | null>;
  /** Ctrl-C in a terminal: SIGINT to the whole process group. */
  interrupt(): Promise<void>;
  readonly group: number;
  /** Every process seen in its group while it ran. */
  readonly seen: Set<number>;
}

function startNpm(cwd: string, env: Record<string, string | number>): NpmRun {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !FOREIGN_ENV.test(key)));
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd,
    env: { ...clean, HOST: '127.0.0.1', ...Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)])) },
    // Its own process group, as a terminal gives a foreground command.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const group = child.pid ?? -1;
  const seen = new Set<number>();
  const watcher = setInterval(() => {
    for (const pid of groupMembers(group)) seen.add(pid);
  }, 200);
  void exit.then(() => clearInterval(watcher));

  return {
    group,
    seen,
    output: () => text,
    async banner(deadlineMs) {
      const printed = pollUntil('the npm start banner', async () => (text.includes(BANNER) ? true : undefined), { deadlineMs, intervalMs: 250 });
      const ended = exit.then((code) => Promise.reject(new Error(`npm start exited (${code}) before its banner`)));
      await Promise.race([printed, ended]).catch((error: Error) => {
        throw new Error(`${error.message}\n--- npm start printed:\n${text.slice(-4000)}`);
      });
      return text.slice(text.indexOf(BANNER));
    },
    async exited(deadlineMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`npm start still running after ${deadlineMs} ms:\n${text.slice(-4000)}`)), deadlineMs);
      });
      try {
        return await Promise.race([exit, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    async interrupt() {
      process.kill(-group, 'SIGINT');
      await this.exited(STOP_DEADLINE_MS);
    },
  };
}

async function expectSystemWorks(ports: Ports): Promise<void> {
  const auth = `http://127.0.0.1:${ports.AUTH_SERVICE_PORT}`;
  const user = `http://127.0.0.1:${ports.USER_SERVICE_PORT}`;
  const login = await requestJson<{ token: string }>(`${auth}/login`, { method: 'POST', json: { username: 'alice', password: 'wonderland' } });
  expect(login.status).toBe(200);
  const profile = await requestJson<{ user: { username: string } }>(`${user}/profile`, { headers: { authorization: `Bearer ${login.body.token}` } });
  expect(profile.status).toBe(200);
  expect(profile.body.user.username).toBe('alice');
  expect((await requestJson(`${user}/profile`)).status).toBe(401);
  expect((await requestJson(`${user}/profile`, { headers: { authorization: 'Bearer not.a.token' } })).status).toBe(403);
  // The user service trusts the dev root of trust npm start made, nothing else: the validator it
  // runs was verified from that root's metadata (and a tag move would need the dev mover's key).
  const health = await requestJson<{ trust?: { rootVersion: number; timestampVersion: number }; remotes: { auth: { version: string; stale?: unknown } } }>(
    `${user}/health`,
  );
  expect(health.body.trust).toMatchObject({ rootVersion: 1, timestampVersion: expect.any(Number) });
  expect(health.body.remotes.auth).toMatchObject({ version: expect.stringMatching(/^1\.0\.\d+$/) });
  expect(health.body.remotes.auth.stale).toBeUndefined();

  for (const [page, script] of [
    [`http://127.0.0.1:${ports.SHELL_PORT}/`, /<script[^>]+src="([^"]+\.js)"/],
    [`http://127.0.0.1:${ports.REGISTRY_PORT}/`, /<script[^>]+src="([^"]+\.js)"/],
  ] as const) {
    const html = await fetch(page, { signal: AbortSignal.timeout(10_000) });
    expect(html.status, page).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const src = script.exec(await html.text())?.[1];
    expect(src, `${page} loads a script`).toBeDefined();
    const js = await fetch(new URL(src ?? '', page), { signal: AbortSignal.timeout(10_000) });
    expect(js.status, `${src} from ${page}`).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(100);
  }
}

// No process of the run's group is left, and every port can be listened on again.
async function expectAllGone(run: NpmRun, ports: Ports): Promise<void> {
  await pollUntil('every process npm start started to exit', async () => (groupMembers(run.group).length === 0 ? true : undefined), {
    deadlineMs: STOP_DEADLINE_MS,
  }).catch((error: Error) => {
    throw new Error(`${error.message}: still alive ${groupMembers(run.group).join(', ')} (seen: ${[...run.seen].join(', ')})`);
  });
  for (const port of Object.values(ports)) expect(await canListen(port), `port ${port} is free again`).toBe(true);
}

function groupMembers(group: number): number[] {
  try {
    process.kill(-group, 0);
  } catch {
    return [];
  }
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // The fields after the command name (which may hold spaces) start at the last ')':
        // state, parent, process group. An exited process not yet reaped (Z) is not alive.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return state !== 'Z' && Number(pgrp) === group;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function freePorts(): Promise<Ports> {
  const chosen = new Set<number>();
  while (chosen.size < PORT_VARIABLES.length) chosen.add(await freePort());
  const list = [...chosen];
  return Object.fromEntries(PORT_VARIABLES.map((variable, index) => [variable, list[index]])) as Ports;
}
