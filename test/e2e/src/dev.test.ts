// `modmesh dev` as a developer runs it: its own process at the root of a workspace, a registry
// process, a Node host (its own process) and the web shell's page in Chromium, both following
// the remote's `dev` tag. A saved source reaches both without a restart or a reload; a syntax
// error is shown with its file and line, publishes nothing, and leaves both on the last good
// release.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient } from '@modmesh/api';
import {
  browserUnavailable,
  type CliRegistry,
  launchChromium,
  pollUntil,
  repoRoot,
  requestJson,
  requireCompiled,
  type ServiceProcess,
  startCliRegistry,
  startService,
  stopAllServices,
} from '@modmesh/test-utils';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkspace } from './dev-workspace.js';

const unavailable = browserUnavailable();
if (unavailable) console.warn(`skipping the modmesh dev test: ${unavailable}`);

const DEADLINE_MS = 60_000;

describe.skipIf(unavailable)('modmesh dev', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-dev-'));
  const workspace = path.join(work, 'workspace');
  const text = path.join(workspace, 'greeter/src/text.ts');
  let registry: CliRegistry;
  let dev: ServiceProcess;
  let host: ServiceProcess;
  let browser: Browser;

  beforeAll(async () => {
    requireCompiled('packages/cli/dist/index.js');
    const shellServer = requireCompiled('examples/web-shell/dist/server/main.js');
    registry = await startCliRegistry(work);
    writeWorkspace(workspace, 'first');
    dev = await startService({
      script: path.join(repoRoot, 'packages/cli/bin/modmesh.js'),
      args: ['dev', '--registry', registry.url],
      cwd: workspace,
      env: { MODMESH_TOKEN: registry.admin },
      readyLine: /following 1 service/,
      startDeadlineMs: DEADLINE_MS,
    });
    await waitForOutput(/greeter {2}✓ live 0\.0\.0-dev\.1 /);
    const devKey = readFileSync(path.join(workspace, '.modmesh/dev/greeter.pub'), 'utf8').trim();
    host = await startService({ script: path.join(workspace, 'host.mjs'), cwd: workspace, env: { MODMESH_REGISTRY: registry.url } });
    const shell = await startService({
      script: shellServer,
      env: {
        SHELL_PORT: '0',
        MODMESH_REGISTRY: registry.url,
        AUTH_REMOTE: 'greeter@dev',
        MODMESH_TRUST_AUTH: devKey,
        MODMESH_TRUST_USER: devKey,
      },
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(shell.url);
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stopAllServices();
    rmSync(work, { recursive: true, force: true });
  });

  let page: Awaited<ReturnType<Browser['newPage']>>;

  async function waitForOutput(pattern: RegExp): Promise<void> {
    await pollUntil(`modmesh dev printing ${pattern}`, async () => (dev.output.some((line) => pattern.test(line)) ? true : undefined), {
      deadlineMs: DEADLINE_MS,
    });
  }

  const onHost = async () => (await requestJson<{ text: string; version: string }>(`${host.url}/`)).body;
  const onPage = async () => ((await page.getByTestId('dev-text').count()) > 0 ? page.getByTestId('dev-text').textContent() : null);
  const pageVersion = () => page.getByTestId('slot-module-auth').getAttribute('data-version');

  it(
    'takes a saved source to a running Node host and to an open page, without a restart or a reload',
    async () => {
      expect(await onHost()).toEqual({ text: 'first ada', version: '0.0.0-dev.1' });
      await pollUntil('the page showing the first build', async () => ((await onPage()) === 'first' ? true : undefined), { deadlineMs: DEADLINE_MS });

      writeFileSync(text, "export const TEXT = 'second';\n");
      await pollUntil('the host serving the edit', async () => ((await onHost()).text === 'second ada' ? true : undefined), { deadlineMs: DEADLINE_MS });
      await pollUntil('the page showing the edit', async () => ((await onPage()) === 'second' ? true : undefined), { deadlineMs: DEADLINE_MS });
      expect(await onHost()).toEqual({ text: 'second ada', version: '0.0.0-dev.2' });
      expect(await pageVersion()).toBe('0.0.0-dev.2');
      expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await waitForOutput(/greeter {2}✓ live 0\.0\.0-dev\.2 \(build \d+ ms, publish \d+ ms\)/);
    },
    DEADLINE_MS * 3,
  );

  it(
    'shows a syntax error with its file and line, publishes nothing, and leaves the host and the page on the last good release',
    async () => {
      writeFileSync(text, "export const TEXT = 'third' +;\n");
      await waitForOutput(/greeter {2}✗ build failed \(hosts keep 0\.0\.0-dev\.2\)/);
      await waitForOutput(/^src\/text\.ts:1:\d+: .*Expression expected/);
      const client = createRegistryClient({ url: registry.url });
      expect((await client.remote('greeter')).versions.map((entry) => entry.version)).toEqual(['0.0.0-dev.1', '0.0.0-dev.2']);
      expect(await onHost()).toEqual({ text: 'second ada', version: '0.0.0-dev.2' });
      expect([await onPage(), await pageVersion()]).toEqual(['second', '0.0.0-dev.2']);

      // Fixed, it goes out as the next version.
      writeFileSync(text, "export const TEXT = 'fourth';\n");
      await pollUntil('the host serving the fix', async () => ((await onHost()).text === 'fourth ada' ? true : undefined), { deadlineMs: DEADLINE_MS });
      await pollUntil('the page showing the fix', async () => ((await onPage()) === 'fourth' ? true : undefined), { deadlineMs: DEADLINE_MS });
      expect(await pageVersion()).toBe('0.0.0-dev.3');
    },
    DEADLINE_MS * 3,
  );
});
