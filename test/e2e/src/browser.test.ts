// The main application in a real browser: the web shell composing the auth service's LoginForm
// and the user service's ProfileCard, loaded from the registry through the modmesh browser
// runtime, and the registry's dashboard steering which release runs. Real processes on
// loopback, Debian's Chromium driven by playwright-core.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  artifactPath,
  authEnv,
  browserUnavailable,
  freePort,
  launchChromium,
  pollUntil,
  requestJson,
  requireCompiled,
  runScript,
  type ServiceProcess,
  startFaultProxy,
  startService,
  stopAllServices,
} from '@modmesh/test-utils';
import { ModuleFederationPlugin } from '@module-federation/enhanced/webpack';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import webpack, { type Configuration } from 'webpack';

// The auth service's LoginForm as a team's own stock config builds it: the same sources and
// options as its modmesh.config.ts, with @module-federation/enhanced alone (no ModmeshWebPlugin).
function stockLoginFormConfig(outputPath: string, title: string): Configuration {
  const context = path.dirname(requireCompiled('examples/auth-service/package.json'));
  return {
    mode: 'production',
    target: 'web',
    context,
    entry: {},
    output: { path: outputPath, publicPath: 'auto', chunkFilename: '[name].[contenthash:12].js' },
    resolve: { extensions: ['.tsx', '.ts', '.js'], extensionAlias: { '.js': ['.tsx', '.ts', '.js'] } },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          options: {
            transpileOnly: true,
            compilerOptions: { module: 'esnext', moduleResolution: 'bundler', jsx: 'react', lib: ['ES2023', 'DOM'], types: [] },
          },
        },
      ],
    },
    plugins: [
      new webpack.DefinePlugin({ __LOGIN_TITLE__: JSON.stringify(title), __LOGIN_ACCENT__: JSON.stringify('#4f46e5') }),
      new ModuleFederationPlugin({
        name: 'auth',
        filename: 'remoteEntry.js',
        exposes: { './LoginForm': './src/ui/LoginForm.tsx' },
        shared: { react: { singleton: true, requiredVersion: '^19.0.0' } },
        manifest: true,
        dts: false,
      }),
    ],
    infrastructureLogging: { level: 'error' },
  };
}

const unavailable = browserUnavailable();
if (unavailable) console.warn(`skipping the browser tests: ${unavailable}`);

const UI_DEADLINE_MS = 20_000;

describe.skipIf(unavailable)('the web shell and the dashboard in Chromium', () => {
  const authBuild = inject('authBuild');
  const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-browser-'));
  const dataDir = path.join(work, 'registry');
  const keysDir = path.join(work, 'keys');
  let cli: string;
  let registry: ServiceProcess;
  let user: ServiceProcess;
  let shell: ServiceProcess;
  let shellEnv: Record<string, string>;
  let admin: string;
  let browser: Browser;
  let page: Page;
  const publishTokens: Record<string, string> = {};

  async function modmesh(args: string[], token = admin): Promise<string> {
    const result = await runScript({ script: cli, args, env: { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: token }, deadlineMs: 60_000 });
    if (result.code !== 0) throw new Error(`modmesh ${args.join(' ')}: ${result.code}\n${result.stderr}`);
    return result.stdout;
  }

  // The service's browser container into the release directory `releaseDir` (its web/), as its users build it.
  async function buildWeb(service: 'auth' | 'user', releaseDir: string, env: Record<string, string> = {}): Promise<void> {
    const project = path.dirname(requireCompiled(`examples/${service}-service/package.json`));
    const result = await runScript({ script: cli, args: ['build', project, '--target', 'web', '--out', releaseDir], env, deadlineMs: 120_000 });
    if (result.code !== 0) throw new Error(`building the ${service} browser container failed:\n${result.stderr}`);
  }

  // An auth release as npm start makes it: the Node container and a browser one side by side.
  async function authRelease(name: string, loginTitle?: string): Promise<string> {
    const dir = path.join(work, name);
    cpSync(authBuild.remoteDir, path.join(dir, 'node'), { recursive: true });
    await buildWeb('auth', dir, loginTitle ? { AUTH_LOGIN_TITLE: loginTitle, AUTH_LOGIN_ACCENT: '#0f766e' } : {});
    return dir;
  }

  async function publish(remote: string, version: string, dir: string, tag?: string): Promise<void> {
    const args = ['publish', dir, '--name', remote, '--version', version, '--key', path.join(keysDir, `${remote}.key`)];
    await modmesh(tag ? [...args, '--tag', tag] : args, publishTokens[remote]);
  }

  async function openShell(): Promise<Page> {
    const opened = await browser.newPage({ viewport: { width: 1200, height: 820 } });
    await opened.goto(shell.url);
    return opened;
  }

  async function signIn(on: Page): Promise<void> {
    await on.getByTestId('login-username').fill('alice');
    await on.getByTestId('login-password').fill('wonderland');
    await on.getByTestId('login-submit').click();
    await on.getByTestId('signed-in').waitFor({ timeout: UI_DEADLINE_MS });
  }

  beforeAll(async () => {
    cli = requireCompiled('packages/cli/bin/modmesh.js');
    requireCompiled('examples/web-shell/dist/app/app.js');
    const [auth100, auth110, user100] = await Promise.all([
      authRelease('auth-1.0.0'),
      authRelease('auth-1.1.0', 'Welcome back to Acme'),
      (async () => {
        const dir = path.join(work, 'user-1.0.0');
        await buildWeb('user', dir);
        return dir;
      })(),
    ]);
    // A fixed port: the shell's page keeps this registry URL across the registry's restarts.
    registry = await startService({ script: cli, args: ['registry', 'start', '--port', String(await freePort()), '--data', dataDir], env: {} });
    admin = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    const trust: Record<string, string> = {};
    for (const remote of ['auth', 'user']) {
      await modmesh(['keys', 'generate', '--out', keysDir, '--name', remote]);
      await modmesh(['trust', 'add', remote, path.join(keysDir, `${remote}.pub`)]);
      trust[remote] = readFileSync(path.join(keysDir, `${remote}.pub`), 'utf8').trim();
      publishTokens[remote] = JSON.parse(await modmesh(['token', 'create', '--remote', remote, '--json'])).token;
    }
    await publish('auth', '1.0.0', auth100, 'stable');
    await publish('auth', '1.1.0', auth110);
    await publish('user', '1.0.0', user100, 'stable');

    const auth = await startService({ script: requireCompiled('examples/auth-service/dist/server/main.js'), env: { ...authEnv(authBuild), PORT: '0' } });
    user = await startService({
      script: requireCompiled('examples/user-service/dist/main.js'),
      env: { PORT: '0', MODMESH_REGISTRY: registry.url, MODMESH_TRUST_AUTH: trust.auth, MODMESH_CACHE_DIR: path.join(work, 'cache') },
    });
    shellEnv = {
      SHELL_PORT: '0',
      MODMESH_REGISTRY: registry.url,
      MODMESH_TRUST_AUTH: trust.auth ?? '',
      MODMESH_TRUST_USER: trust.user ?? '',
      AUTH_URL: auth.url,
      USER_URL: user.url,
    };
    shell = await startService({ script: requireCompiled('examples/web-shell/dist/server/main.js'), env: shellEnv });
    browser = await launchChromium();
    page = await openShell();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stopAllServices();
  });

  it('logs alice in through the shell and shows her profile card, both modules verified from the registry', async () => {
    await signIn(page);
    await expect.poll(() => page.getByTestId('profile-name').textContent(), { timeout: UI_DEADLINE_MS }).toBe('Alice Liddell');
    expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.0.0');
    expect(await page.getByTestId('remote-version-user').textContent()).toContain('user 1.0.0');
    // The page reports itself to the registry like a Node host does.
    const browsers = await pollUntil('the registry lists the browser as a consumer of user@1.0.0', async () => {
      const { body } = await requestJson<{ consumers: { kind: string; service: string; remotes: { name: string; version: string }[] }[] }>(
        `${registry.url}/v1/remotes/user/consumers`,
      );
      return body.consumers.find((consumer) => consumer.kind === 'browser' && consumer.service === 'web-shell');
    });
    expect(browsers.remotes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'user', version: '1.0.0' })]));
    await page.screenshot({ path: artifactPath('web-shell.png'), fullPage: true });
  });

  it('swaps the login form live when stable moves from the dashboard, and back on a rollback; the page audits both', async () => {
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await expect.poll(() => page.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe('Sign in');
    // Anything the page holds in memory survives a swap; a reload would lose it.
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    const dashboard = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await dashboard.goto(`${registry.url}/`);
    await dashboard.getByTestId('admin-token').fill(admin);
    await dashboard.getByTestId('admin-sign-in').click();
    await expect.poll(() => dashboard.getByTestId('admin-status').textContent(), { timeout: UI_DEADLINE_MS }).toMatch(/admin/i);

    await dashboard.getByTestId('move-version-auth-stable').selectOption('1.1.0');
    await dashboard.getByTestId('move-reason-auth-stable').fill('ship the new login form');
    await dashboard.getByTestId('move-auth-stable').click();
    await dashboard.getByTestId('confirm-move-auth-stable').click();
    await expect.poll(() => dashboard.getByTestId('tag-version-auth-stable').textContent(), { timeout: UI_DEADLINE_MS }).toContain('1.1.0');
    await expect.poll(() => page.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe('Welcome back to Acme');
    expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.1.0');

    await dashboard.getByTestId('rollback-auth-stable').click();
    await dashboard.getByTestId('confirm-rollback-auth-stable').click();
    await expect.poll(() => page.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe('Sign in');
    expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.0.0');
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // And the new release works, not just shows: signing in through it still works.
    await signIn(page);

    const audit = dashboard.getByTestId('audit-auth').getByTestId('audit-entry');
    await expect.poll(async () => (await audit.allTextContents()).join('\n'), { timeout: UI_DEADLINE_MS }).toMatch(/rollback[\s\S]*1\.1\.0[\s\S]*1\.0\.0/);
    expect((await audit.allTextContents()).join('\n')).toMatch(/move[\s\S]*1\.0\.0[\s\S]*1\.1\.0/);
    await expect
      .poll(async () => (await dashboard.getByTestId('consumers-auth').getByTestId('consumer').allTextContents()).join('\n'), { timeout: UI_DEADLINE_MS })
      .toContain('web-shell');
    await dashboard.screenshot({ path: artifactPath('dashboard.png'), fullPage: true });
    await dashboard.close();
  });

  it('keeps the page working when the user service stops: the profile slot falls back, signing in still works', async () => {
    await user.stop();
    const fresh = await openShell();
    await signIn(fresh);
    const fallback = fresh.getByTestId('slot-fallback-user');
    await fallback.waitFor({ timeout: UI_DEADLINE_MS });
    expect(await fresh.getByTestId('slot-fallback-code-user').textContent()).toBe('SHELL_UPSTREAM_UNAVAILABLE');
    expect(await fresh.getByTestId('signed-in').textContent()).toContain('alice');
    await fresh.screenshot({ path: artifactPath('web-shell-user-service-down.png'), fullPage: true });
    await fresh.close();
  });

  it('refuses a release file altered after signing (Subresource Integrity): the slot falls back with the code, the open page keeps its release', async () => {
    const dir = await authRelease('auth-1.2.0', 'A build someone tampered with');
    await publish('auth', '1.2.0', dir);
    const { manifest } = (await requestJson<{ manifest: { files: { path: string; sha256: string }[] } }>(`${registry.url}/v1/remotes/auth/releases/1.2.0`))
      .body;
    const chunk = manifest.files.find((file) => /^web\/__federation_expose_LoginForm\.[0-9a-f]+\.js$/.test(file.path));
    expect(chunk, 'the release has a LoginForm chunk').toBeDefined();
    // Changed on the registry's disk after publishing: the registry serves it, unknowing.
    const blob = path.join(dataDir, 'blobs/sha256', chunk!.sha256.slice(0, 2), chunk!.sha256);
    writeFileSync(blob, `${readFileSync(blob, 'utf8')}\nwindow.tampered = true;\n`);
    await modmesh(['tag', 'set', 'auth', 'stable', '1.2.0', '--reason', 'tampered release']);

    // The open page tries the swap, is refused, and keeps running 1.0.0.
    await expect.poll(async () => (await page.getByTestId('activity').textContent()) ?? '', { timeout: UI_DEADLINE_MS }).toMatch(/MODMESH_HASH_MISMATCH/);
    expect(await page.getByTestId('remote-version-auth').textContent()).toContain('auth 1.0.0');

    // A page opened now has nothing else to run: the slot shows its fallback and the code.
    const fresh = await openShell();
    await fresh.getByTestId('slot-fallback-auth').waitFor({ timeout: UI_DEADLINE_MS });
    expect(await fresh.getByTestId('slot-fallback-code-auth').textContent()).toBe('MODMESH_HASH_MISMATCH');
    expect(await fresh.getByTestId('slot-fallback-auth').textContent()).toContain('web/__federation_expose_LoginForm');
    expect(await fresh.evaluate(() => (globalThis as unknown as { tampered?: boolean }).tampered)).toBeUndefined();
    expect(await page.evaluate(() => (globalThis as unknown as { tampered?: boolean }).tampered)).toBeUndefined();
    await fresh.screenshot({ path: artifactPath('web-shell-tampered-release.png'), fullPage: true });
    await fresh.close();
  });

  it('refuses a signed browser container built without the integrity plugin, before any of its chunks loads', async () => {
    // Signed by the right key, but its chunk scripts would load without integrity: not run.
    const dir = path.join(work, 'auth-1.3.0');
    cpSync(authBuild.remoteDir, path.join(dir, 'node'), { recursive: true });
    const config = stockLoginFormConfig(path.join(dir, 'web'), 'Built without the plugin');
    await new Promise<void>((resolve, reject) =>
      webpack(config).run((error, stats) => (error || stats?.hasErrors() ? reject(error ?? new Error(stats?.toString())) : resolve())),
    );
    await publish('auth', '1.3.0', dir);
    await modmesh(['tag', 'set', 'auth', 'stable', '1.3.0', '--reason', 'a stock build']);

    const fresh = await browser.newPage();
    const requested: string[] = [];
    fresh.on('request', (request) => requested.push(request.url()));
    await fresh.goto(shell.url);
    await fresh.getByTestId('slot-fallback-auth').waitFor({ timeout: UI_DEADLINE_MS });
    expect(await fresh.getByTestId('slot-fallback-code-auth').textContent()).toBe('MODMESH_SRI_UNSUPPORTED');
    // Its signed entry ran (and handed nothing over); none of its chunks was even requested.
    expect(requested.some((url) => url.endsWith('/releases/1.3.0/files/web/remoteEntry.js'))).toBe(true);
    expect(requested.filter((url) => url.includes('/releases/1.3.0/files/web/__federation_expose'))).toEqual([]);
    await fresh.close();
  });

  it('picks up a tag move by itself once a failing registry recovers, without another event', async () => {
    await modmesh(['tag', 'set', 'auth', 'stable', '1.0.0', '--reason', 'back to a good release']);
    // A second shell whose page reaches the registry through a proxy the test breaks.
    const proxy = await startFaultProxy(registry.url);
    const env = { ...shellEnv, MODMESH_REGISTRY: proxy.url };
    const proxied = await startService({ script: requireCompiled('examples/web-shell/dist/server/main.js'), env });
    const fresh = await browser.newPage();
    await fresh.goto(proxied.url);
    await expect.poll(() => fresh.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe('Sign in');

    // Resolving answers 500 (the event stream still flows): the page hears of the move, fails to
    // resolve it, and keeps 1.0.0.
    proxy.setFault({ kind: 'status', status: 500 }, { only: (url) => url.includes('/resolve/') });
    await modmesh(['tag', 'set', 'auth', 'stable', '1.1.0', '--reason', 'while the registry is failing']);
    await expect.poll(async () => (await fresh.getByTestId('activity').textContent()) ?? '', { timeout: UI_DEADLINE_MS }).toMatch(/MODMESH_REMOTE_/);
    expect(await fresh.getByTestId('login-title').textContent()).toBe('Sign in');

    proxy.setFault(undefined);
    await expect.poll(() => fresh.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe('Welcome back to Acme');
    await fresh.close();
    await proxied.stop();
    await proxy.close();
  });
  it('runs a browser container built by rspack, every chunk script carrying the integrity of the signed manifest', async () => {
    const dir = path.join(work, 'auth-1.4.0');
    cpSync(authBuild.remoteDir, path.join(dir, 'node'), { recursive: true });
    const project = path.dirname(requireCompiled('examples/auth-service/package.json'));
    const built = await runScript({
      script: cli,
      args: ['build', project, '--target', 'web', '--bundler', 'rspack', '--out', dir],
      env: { AUTH_LOGIN_TITLE: 'Built by rspack' },
      deadlineMs: 120_000,
    });
    expect(built.code, built.stderr).toBe(0);
    await publish('auth', '1.4.0', dir);
    await modmesh(['tag', 'set', 'auth', 'stable', '1.4.0', '--reason', 'an rspack build']);
    const { manifest } = (await requestJson<{ manifest: { files: { path: string; sha256: string }[] } }>(`${registry.url}/v1/remotes/auth/releases/1.4.0`))
      .body;

    // Every <script> the page adds, as it is added (the chunk loader removes them once run).
    const fresh = await browser.newPage();
    await fresh.addInitScript({
      content: `globalThis.scripts = [];
        new MutationObserver((records) => {
          for (const record of records) for (const node of record.addedNodes) if (node.tagName === 'SCRIPT' && node.src) globalThis.scripts.push({ src: node.src, integrity: node.integrity });
        }).observe(document, { childList: true, subtree: true });`,
    });
    await fresh.goto(shell.url);
    await expect.poll(() => fresh.getByTestId('login-title').textContent(), { timeout: UI_DEADLINE_MS }).toBe('Built by rspack');
    const scripts = await fresh.evaluate(() => (globalThis as unknown as { scripts: { src: string; integrity: string }[] }).scripts);
    const chunks = scripts.filter((script) => script.src.includes('/releases/1.4.0/files/web/') && !script.src.endsWith('/remoteEntry.js'));
    expect(chunks.map((script) => script.src).some((src) => src.includes('__federation_expose_LoginForm'))).toBe(true);
    for (const script of chunks) {
      const file = manifest.files.find((entry) => script.src.endsWith(`/files/${entry.path}`));
      expect(script.integrity, script.src).toBe(`sha256-${Buffer.from(file?.sha256 ?? '', 'hex').toString('base64')}`);
    }
    await fresh.close();
  });
});
