// The registry's dashboard in Chromium on a registry that needs a token for reads: what the page
// does with tokens (signing in, a reload, signing out), changes made by others arriving live over
// the token-carrying event stream, and a compare-and-swap refusal shown with its code. The page
// as served is the build (`npm run build`); the registry runs in this process on 127.0.0.1.
import type { AddressInfo } from 'node:net';
import { ADMIN_TOKEN, admin, createTestRegistry, publishFixture, releaseFixture, setUpPublisher, type TestRegistry } from '@modmesh/registry-test-utils';
import { artifactPath, browserUnavailable, launchChromium, requireCompiled } from '@modmesh/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const unavailable = browserUnavailable();
if (unavailable) console.warn(`skipping the dashboard browser tests: ${unavailable}`);

const UI_DEADLINE_MS = 10_000;

describe.skipIf(unavailable)('the dashboard on a registry that needs a token for reads', () => {
  let registry: TestRegistry;
  let publisher: Awaited<ReturnType<typeof setUpPublisher>>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const text = (testId: string) => page.getByTestId(testId).textContent();

  beforeAll(async () => {
    requireCompiled('packages/registry/dist/dashboard/app.js');
    registry = await createTestRegistry({ requireReadToken: true });
    publisher = await setUpPublisher(registry, 'auth');
    await publishFixture(registry, releaseFixture('auth', '1.0.0'), publisher, { tag: 'stable' });
    await registry.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${(registry.app.server.address() as AddressInfo).port}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await registry?.cleanup();
  });

  it('says a token is needed, and refuses an unknown one with its code', async () => {
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: UI_DEADLINE_MS }).toMatch(/needs a token for reads/);
    expect(await text('events-status')).toBe('offline');
    await page.getByTestId('admin-token').fill('mmr_not-a-token-of-this-registry');
    await page.getByTestId('admin-sign-in').click();
    await expect.poll(() => text('error-banner'), { timeout: UI_DEADLINE_MS }).toMatch(/^MODMESH_AUTH_REQUIRED Signing in failed/);
    expect(await text('admin-status')).toBe('Sign in to read this registry');
  });

  it('signs in with the admin token, follows the stream with it, and stays signed in across a reload', async () => {
    await page.getByTestId('admin-token').fill(ADMIN_TOKEN);
    await page.getByTestId('admin-sign-in').click();
    await expect.poll(() => text('tag-version-auth-stable'), { timeout: UI_DEADLINE_MS }).toBe('1.0.0');
    await expect.poll(() => text('events-status'), { timeout: UI_DEADLINE_MS }).toBe('live');
    await page.reload();
    await expect.poll(() => text('admin-status'), { timeout: UI_DEADLINE_MS }).toBe('Signed in as admin');
    await expect.poll(() => text('events-status'), { timeout: UI_DEADLINE_MS }).toBe('live');
    // Published by someone else: it arrives over the event stream, without a reload.
    await publishFixture(registry, releaseFixture('auth', '1.1.0'), publisher);
    await expect.poll(() => page.getByTestId('release-auth-1.1.0').count(), { timeout: UI_DEADLINE_MS }).toBe(1);
  });

  it('refuses a move confirmed after someone else moved the tag, with MODMESH_TAG_CONFLICT, and shows where it is now', async () => {
    await page.getByTestId('move-version-auth-stable').selectOption('1.1.0');
    await page.getByTestId('move-auth-stable').click();
    const elsewhere = await registry.app.inject({
      method: 'PUT',
      url: '/v1/remotes/auth/tags/stable',
      headers: admin(),
      payload: { version: '1.1.0', expect: '1.0.0', reason: 'moved elsewhere' },
    });
    expect(elsewhere.statusCode).toBe(200);
    await expect.poll(() => page.locator('.confirm-stale').textContent(), { timeout: UI_DEADLINE_MS }).toMatch(/has moved to 1\.1\.0 since/);
    await page.getByTestId('confirm-move-auth-stable').click();
    await expect.poll(() => text('error-banner'), { timeout: UI_DEADLINE_MS }).toMatch(/^MODMESH_TAG_CONFLICT Moving auth@stable to 1\.1\.0 failed/);
    expect(await text('tag-version-auth-stable')).toBe('1.1.0');
    await page.screenshot({ path: artifactPath('dashboard-tag-conflict.png'), fullPage: true });
  });

  it('forgets the token on signing out, across a reload too', async () => {
    await page.getByTestId('admin-sign-out').click();
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: UI_DEADLINE_MS }).toMatch(/needs a token for reads/);
    await page.reload();
    await expect.poll(() => text('admin-status'), { timeout: UI_DEADLINE_MS }).toBe('Sign in to read this registry');
    expect(await page.getByTestId('remote-auth').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
