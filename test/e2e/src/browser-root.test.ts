// A page gets the same rules as a Node host (issue 16, item 5), in Chromium: the web shell
// configured with a root of trust and a read token, against a `modmesh registry start` process in
// root mode that requires read tokens and renews a short-lived timestamp, releases published and
// tags moved by the real CLI, each signed by the person who makes it. The page runs only what the
// signed metadata says, follows a signed move live over the event stream (fetch-based, the token
// in its Authorization header, so CORS preflight), refuses an older state a proxy replays, and
// says it is stale when a proxy freezes the registry, while its module keeps working.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  artifactPath,
  authEnv,
  browserUnavailable,
  type FaultProxy,
  launchChromium,
  pollUntil,
  requireCompiled,
  runScript,
  type ScriptResult,
  type ServiceProcess,
  startFaultProxy,
  startService,
  stopAllServices,
} from '@modmesh/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';

const unavailable = browserUnavailable();
if (unavailable) console.warn(`skipping the browser root tests: ${unavailable}`);

const UI_DEADLINE_MS = 30_000;
// Short enough for a test to watch it lapse; the registry renews it when half is left.
const TIMESTAMP_EXPIRY_S = 20;
const TIMESTAMP_RENEW_BEFORE_S = 10;
const LOGIN_TITLES = { '1.0.0': 'Sign in', '1.1.0': 'Welcome back to Acme' } as const;

interface PageStatus {
  events: string;
  remotes: Record<string, { version?: string; stale?: { code: string; role: string; since?: string; cause?: string } }>;
  trust?: { timestampVersion?: number; lastError?: { code: string } };
}

describe.skipIf(unavailable)('a page with a root of trust and a read token, in Chromium', () => {
  const authBuild = inject('authBuild');
  const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-browser-root-'));
  const dataDir = path.join(work, 'registry');
  let cli: string;
  let registry: ServiceProcess;
  let shell: ServiceProcess;
  let admin: string;
  let publishToken: string;
  let readToken: string;
  let shellEnv: Record<string, string>;
  let browser: Browser;
  // The timestamp the registry signed while stable pointed at 1.0.0: valid, signed, and old.
  let timestampOfOneZero: Buffer;

  async function modmesh(args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> {
    const result = await runScript({
      script: cli,
      args,
      cwd: work,
      env: { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: admin, MODMESH_ROOT: undefined, MODMESH_KEY: undefined, MODMESH_MOVER_KEY: undefined, ...env },
      deadlineMs: 120_000,
    });
    if (result.code !== 0) throw new Error(`modmesh ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
    return result;
  }
  const asPublisher = { MODMESH_TOKEN: '', MODMESH_ROOT: 'trust/1.root.json' };

  async function buildLoginForm(version: keyof typeof LOGIN_TITLES): Promise<string> {
    const dir = path.join(work, `auth-${version}`);
    const project = path.dirname(requireCompiled('examples/auth-service/package.json'));
    const built = await runScript({
      script: cli,
      args: ['build', project, '--target', 'web', '--out', dir],
      env: { AUTH_LOGIN_TITLE: LOGIN_TITLES[version], AUTH_LOGIN_ACCENT: '#0f766e' },
      deadlineMs: 180_000,
    });
    if (built.code !== 0) throw new Error(`building auth ${version} for browsers failed:\n${built.stderr}`);
    return dir;
  }

  async function tufFile(base: string, file: string, token = readToken): Promise<Buffer> {
    const response = await fetch(`${base}/v1/tuf/metadata/${file}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`${file}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  async function startShell(registryUrl: string): Promise<ServiceProcess> {
    return startService({ script: requireCompiled('examples/web-shell/dist/server/main.js'), env: { ...shellEnv, MODMESH_REGISTRY: registryUrl } });
  }

  // A page of the shell at `url`, with every request it makes and every <script> it adds recorded.
  async function openPage(url: string): Promise<{ page: Page; requests: string[]; aborted: string[]; scripts: () => Promise<string[]> }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 820 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => console.log(`[page] ${message.text()}`));
    const aborted: string[] = [];
    page.on('requestfailed', (request) => {
      console.log(`[page] failed ${request.url()} ${request.failure()?.errorText}`);
      if (request.failure()?.errorText === 'net::ERR_ABORTED') aborted.push(request.url());
    });
    await page.addInitScript({
      content: `globalThis.scripts = [];
        new MutationObserver((records) => {
          for (const record of records) for (const node of record.addedNodes) if (node.tagName === 'SCRIPT' && node.src) globalThis.scripts.push(node.src);
        }).observe(document, { childList: true, subtree: true });`,
    });
    await page.goto(url);
    return { page, requests, aborted, scripts: () => page.evaluate(() => (globalThis as unknown as { scripts: string[] }).scripts) };
  }

  const status = (page: Page): Promise<PageStatus> => page.evaluate(() => (globalThis as unknown as { modmesh: { status(): PageStatus } }).modmesh.status());
  const activity = async (page: Page): Promise<string> => (await page.getByTestId('activity').textContent()) ?? '';

  async function signIn(page: Page): Promise<void> {
    await page.getByTestId('login-username').fill('alice');
    await page.getByTestId('login-password').fill('wonderland');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('signed-in').waitFor({ timeout: UI_DEADLINE_MS });
  }

  beforeAll(async () => {
    cli = requireCompiled('packages/cli/bin/modmesh.js');
    requireCompiled('examples/web-shell/dist/app/app.js');
    const builds = Promise.all([buildLoginForm('1.0.0'), buildLoginForm('1.1.0')]);
    registry = await startService({
      script: cli,
      args: [
        'registry',
        'start',
        '--port',
        '0',
        '--data',
        dataDir,
        '--require-read-token',
        '--timestamp-expiry',
        String(TIMESTAMP_EXPIRY_S),
        '--timestamp-renew-before',
        String(TIMESTAMP_RENEW_BEFORE_S),
      ],
      env: { MODMESH_ADMIN_TOKEN: undefined },
    });
    admin = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();

    // The root ceremony, offline: two root keys (2 of 2), the registry's online key, and for
    // auth a publisher (CI) and a mover (whoever moves tags).
    for (const name of ['root1', 'root2', 'publisher', 'mover']) await modmesh(['keys', 'generate', '--out', 'keys', '--name', name]);
    const online = JSON.parse((await modmesh(['registry', 'online-key', 'print', '--data', dataDir, '--json'])).stdout).keys[0].publicKey;
    await modmesh([
      'root',
      'create',
      '--root-key',
      'keys/root1.pub',
      '--root-key',
      'keys/root2.pub',
      '--threshold',
      '2',
      '--online-key',
      online,
      '--dir',
      'trust',
    ]);
    await modmesh(['root', 'add-remote', 'auth', '--publisher', 'keys/publisher.pub', '--mover', 'keys/mover.pub', '--dir', 'trust']);
    for (const file of ['1.root.json', '2.targets.json'])
      for (const key of ['root1', 'root2']) await modmesh(['root', 'sign', `trust/${file}`, '--key', `keys/${key}.key`]);
    await modmesh(['root', 'push', '--dir', 'trust']);
    publishToken = JSON.parse((await modmesh(['token', 'create', '--remote', 'auth', '--json'])).stdout).token;
    readToken = JSON.parse((await modmesh(['token', 'create', '--role', 'read', '--label', 'web shell', '--json'])).stdout).token;
    asPublisher.MODMESH_TOKEN = publishToken;

    const [dir100, dir110] = await builds;
    await modmesh(
      ['publish', dir100, '--name', 'auth', '--version', '1.0.0', '--key', 'keys/publisher.key', '--tag', 'stable', '--mover-key', 'keys/mover.key'],
      asPublisher,
    );
    await modmesh(['publish', dir110, '--name', 'auth', '--version', '1.1.0', '--key', 'keys/publisher.key'], asPublisher);
    timestampOfOneZero = await tufFile(registry.url, 'timestamp.json');

    const auth = await startService({ script: requireCompiled('examples/auth-service/dist/server/main.js'), env: { ...authEnv(authBuild), PORT: '0' } });
    shellEnv = {
      SHELL_PORT: '0',
      MODMESH_ROOT: path.join(work, 'trust/1.root.json'),
      MODMESH_READ_TOKEN: readToken,
      MODMESH_TRUST_AUTH: '',
      MODMESH_TRUST_USER: '',
      AUTH_URL: auth.url,
      USER_URL: 'http://127.0.0.1:1',
    };
    shell = await startShell(registry.url);
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stopAllServices();
    rmSync(work, { recursive: true, force: true });
  });

  it('loads the login form verified from the root with the read token, and follows a signed tag move live over the event stream', async () => {
    // The registry refuses anonymous reads: whatever the page gets, it got with its token.
    expect((await fetch(`${registry.url}/v1/tuf/metadata/timestamp.json`)).status).toBe(401);
    expect((await fetch(`${registry.url}/v1/remotes/auth/releases/1.0.0/files/web/remoteEntry.js`)).status).toBe(401);

    const { page } = await openPage(shell.url);
    await expect.poll(() => page.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe(LOGIN_TITLES['1.0.0']);
    expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.0.0');
    // The event stream is up: with this registry, only with the token (a fetch-based stream
    // whose Authorization header makes the browser ask the registry's preflight first).
    await expect.poll(async () => (await status(page)).events, { timeout: UI_DEADLINE_MS }).toBe('connected');
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    const moved = await modmesh(['tag', 'set', 'auth', 'stable', '1.1.0', '--key', 'keys/mover.key', '--reason', 'the new login form'], asPublisher);
    expect(moved.stdout).toContain('stable: 1.0.0 -> 1.1.0');
    await expect.poll(() => page.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe(LOGIN_TITLES['1.1.0']);
    expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.1.0');
    expect(await activity(page)).toMatch(/swapped 1\.0\.0 → 1\.1\.0/);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await signIn(page);
    await page.screenshot({ path: artifactPath('web-shell-root.png'), fullPage: true });
    await page.close();
  }, 180_000);

  describe('behind a proxy that answers for the registry', () => {
    let proxy: FaultProxy;
    let proxied: ServiceProcess;

    beforeAll(async () => {
      proxy = await startFaultProxy(registry.url);
      proxied = await startShell(proxy.url);
    });
    afterAll(async () => {
      await proxied?.stop();
      await proxy?.close();
    });
    afterEach(() => proxy.setFault(undefined));

    // The proxy answers every request for timestamp.json with `body` itself. Its preflight too: the
    // page sends its token, so the answer allows that header, as the registry's own does.
    const answerTimestamp = (body: Buffer): void =>
      proxy.setFault(
        {
          kind: 'answer',
          status: 200,
          headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization, last-event-id' },
          body,
        },
        { only: (url) => url.startsWith('/v1/tuf/metadata/timestamp.json') },
      );

    it('refuses an older signed state replayed to it (rollback): the code on the page, 1.1.0 still running, nothing of 1.0.0 fetched', async () => {
      const { page, requests, scripts } = await openPage(proxied.url);
      await expect.poll(() => page.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe(LOGIN_TITLES['1.1.0']);
      const document100 = await (
        await fetch(`${registry.url}/v1/remotes/auth/releases/1.0.0/document`, { headers: { authorization: `Bearer ${readToken}` } })
      ).arrayBuffer();
      const sha100 = Buffer.from(await crypto.subtle.digest('SHA-256', document100)).toString('hex');
      const ofOneZero = (url: string): boolean => url.includes('/releases/1.0.0/') || url.includes(sha100);

      // From now on the proxy answers the timestamp of when stable was 1.0.0: all signed by the
      // right keys, every file it leads to still served by the registry, and all of it older.
      answerTimestamp(timestampOfOneZero);
      // The registry's next renewal is the page's hint to look again (its event stream passes).
      await expect.poll(() => activity(page), { timeout: UI_DEADLINE_MS }).toMatch(/MODMESH_META_ROLLBACK/);
      expect((await status(page)).trust?.lastError?.code).toBe('MODMESH_META_ROLLBACK');
      expect(proxy.stats().faulted).toBeGreaterThan(0);

      expect(await page.getByTestId('login-title').textContent()).toBe(LOGIN_TITLES['1.1.0']);
      expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.1.0');
      expect(requests.filter(ofOneZero)).toEqual([]);
      expect((await scripts()).filter(ofOneZero)).toEqual([]);
      // The page is not broken by the refusal: its module still works.
      await signIn(page);
      await page.screenshot({ path: artifactPath('web-shell-root-rollback.png'), fullPage: true });
      proxy.setFault(undefined);
      await page.close();
    }, 180_000);

    it('refuses endless data: a timestamp past its 16 KiB cap is cut off while read, the code on the page, 1.1.0 still running', async () => {
      const { page, aborted } = await openPage(proxied.url);
      await expect.poll(() => page.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe(LOGIN_TITLES['1.1.0']);
      const before = (await status(page)).trust?.timestampVersion;
      expect(before).toBeGreaterThan(0);

      // 10 MB of JSON-looking spaces, sent without a length (chunked): only counting while reading stops it.
      answerTimestamp(Buffer.alloc(10 * 1024 * 1024, 0x20));
      await expect.poll(() => activity(page), { timeout: UI_DEADLINE_MS }).toMatch(/MODMESH_REMOTE_TOO_LARGE/);
      expect((await status(page)).trust).toMatchObject({ timestampVersion: before, lastError: { code: 'MODMESH_REMOTE_TOO_LARGE' } });
      expect(proxy.stats().faulted).toBeGreaterThan(0);
      // Cut off while reading: the page aborted the download rather than take all 10 MB and then refuse.
      expect(aborted.filter((url) => url.includes('/v1/tuf/metadata/timestamp.json')).length).toBeGreaterThan(0);

      // The page keeps its module: the form is there and signing in through it works.
      expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.1.0');
      await signIn(page);
      proxy.setFault(undefined);
      await page.close();
    }, 180_000);

    it('says it is stale once the timestamp a frozen proxy replays has expired, keeps serving 1.1.0, and is fresh again when the registry is back', async () => {
      const { page } = await openPage(proxied.url);
      await expect.poll(() => page.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe(LOGIN_TITLES['1.1.0']);
      await pollUntil('the page trusts a fresh timestamp', async () => ((await status(page)).remotes.auth?.stale ? undefined : true), {
        deadlineMs: UI_DEADLINE_MS,
      });

      // Frozen: the proxy answers the timestamp of now, for ever, while the registry renews its own.
      const frozen = await tufFile(proxy.url, 'timestamp.json');
      const { signed } = JSON.parse(frozen.toString('utf8')) as { signed: { version: number; expires: string } };
      answerTimestamp(frozen);

      const stale = await pollUntil('the page reports auth stale', async () => (await status(page)).remotes.auth?.stale, {
        deadlineMs: TIMESTAMP_EXPIRY_S * 1000 + UI_DEADLINE_MS,
      });
      // Stale from the moment the replayed timestamp expired: within its expiry of the freeze.
      expect(stale).toMatchObject({ code: 'MODMESH_STALE', role: 'timestamp', since: signed.expires });
      await expect.poll(() => activity(page), { timeout: UI_DEADLINE_MS }).toMatch(/MODMESH_STALE/);
      const current = JSON.parse((await tufFile(registry.url, 'timestamp.json')).toString('utf8')) as { signed: { version: number } };
      expect(current.signed.version).toBeGreaterThan(signed.version);

      // Still serving what it verified: the form is there and signing in through it works.
      expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.1.0');
      await signIn(page);
      await page.screenshot({ path: artifactPath('web-shell-root-stale.png'), fullPage: true });

      proxy.setFault(undefined);
      await pollUntil('the page is fresh again', async () => ((await status(page)).remotes.auth?.stale ? undefined : true), {
        deadlineMs: UI_DEADLINE_MS,
      });
      await page.close();
    }, 180_000);
  });
});
