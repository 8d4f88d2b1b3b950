// Chromium for scenario 09: Debian's build driven by playwright-core with the flags the browser
// tests use (test/utils/src/browser.ts), and the in-page clocks the scenario reads. Both
// variants are timed by the same code inside the page, so the driver's own latency (the
// DevTools protocol, polling) is never part of a figure.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); MODMESH_CHROMIUM names another binary. */
export const CHROMIUM = process.env.MODMESH_CHROMIUM ?? '/usr/bin/chromium';

// As in test/utils/src/browser.ts: as root without a sandbox, and nothing phones home (each
// refused background connection would only add noise).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const VIEWPORT = { width: 1200, height: 820 };
// A sample that takes longer than this is broken, not slow.
const PAGE_DEADLINE_MS = 30_000;
const BROWSER_CLOSE_DEADLINE_MS = 10_000;

/** Why Chromium cannot run here, or undefined when it can. */
export function chromiumUnavailable() {
  return existsSync(CHROMIUM) ? undefined : `Chromium is not at ${CHROMIUM} (apt-get install -y chromium, or set MODMESH_CHROMIUM)`;
}

/**
 * Launches Chromium as a browser server, so its process is ours to stop by PID, and connects to
 * it: `{ browser, pid, version, stop() }`.
 */
export async function launchChromium() {
  const server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const pid = server.process().pid;
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    return {
      browser,
      pid,
      version: browser.version(),
      async stop() {
        await browser.close().catch(() => undefined);
        const closed = server.close().then(() => true);
        const late = new Promise((resolve) => setTimeout(resolve, BROWSER_CLOSE_DEADLINE_MS, false));
        if (!(await Promise.race([closed, late]))) await server.kill();
      },
    };
  } catch (error) {
    await server.kill();
    throw error;
  }
}

/**
 * Opens `url` in a new browser context (an empty HTTP cache, no connections open) and resolves
 * once the page has attached the LoginForm: `{ ms, entryRequested, heapMB, requests, timeline }`,
 * `ms` from navigation start, `entryRequested` when remoteEntry.js was asked for (same clock),
 * `heapMB` the page's JS heap after a full GC, `requests` every URL fetched before the form (the
 * document, then Resource Timing's scripts, styles, fetches; an event stream only once it ends),
 * `timeline` those fetches with their start and end.
 */
export async function openFirstModule(browser, url) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await openInstrumented(context, url);
    const { ms, timeline } = await page.evaluate(() => {
      const at = window.__bench.formAt;
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource').filter((entry) => entry.startTime < at)];
      const round = (value) => Math.round(value * 10) / 10;
      return { ms: at, timeline: entries.map((entry) => ({ url: entry.name, start: round(entry.startTime), end: round(entry.responseEnd) })) };
    });
    // The page's own heap, as DevTools' memory panel shows it, after what the render left
    // behind is collected: performance.memory is bucketed and not collected.
    const devtools = await context.newCDPSession(page);
    await devtools.send('HeapProfiler.collectGarbage');
    const { usedSize } = await devtools.send('Runtime.getHeapUsage');
    await devtools.detach();
    const entryRequested = timeline.find((entry) => new URL(entry.url).pathname.endsWith('/remoteEntry.js'))?.start;
    return { ms, entryRequested, heapMB: usedSize / 1048576, requests: timeline.map((entry) => entry.url), timeline };
  } finally {
    await context.close();
  }
}

/**
 * Opens `url` in a new browser context and keeps it open: `{ page, titleAfter(count, title),
 * titleCount(), close() }`. `titleAfter` resolves with the `Date.now()` at which the page first
 * showed `title` as its LoginForm's title, once more than `count` titles were shown.
 */
export async function openLive(browser, url) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await openInstrumented(context, url);
    return {
      page,
      titleCount: () => page.evaluate(() => window.__bench.titles.length),
      async titleAfter(count, title) {
        const shown = await page.waitForFunction(
          ([count, title]) => {
            const titles = window.__bench.titles;
            return titles.length > count && titles.at(-1).title === title && titles.at(-1).at;
          },
          [count, title],
          { timeout: PAGE_DEADLINE_MS, polling: 10 },
        );
        return shown.jsonValue();
      },
      close: () => context.close(),
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}

// --- internal ---

// Navigates with the instrument in place and waits for the form (or the slot's fallback, which
// fails the sample with the page's own explanation).
async function openInstrumented(context, url) {
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url, { waitUntil: 'commit', timeout: PAGE_DEADLINE_MS });
  let outcome;
  try {
    outcome = await page.waitForFunction(
      () => (window.__bench.formAt !== undefined ? 'form' : document.querySelector('[data-testid^="slot-fallback"]')?.textContent),
      undefined,
      { timeout: PAGE_DEADLINE_MS, polling: 10 },
    );
  } catch (error) {
    throw new Error(`${url}: no LoginForm within ${PAGE_DEADLINE_MS} ms${pageErrors.length ? ` (page errors: ${pageErrors.join('; ')})` : ''}`, {
      cause: error,
    });
  }
  const shown = await outcome.jsonValue();
  if (shown !== 'form') throw new Error(`${url}: the page showed its fallback instead of the LoginForm: ${shown}`);
  return page;
}

// Runs in every page before its own scripts. A MutationObserver (its callback runs right after
// the DOM change, before the next paint) notes when the LoginForm is first attached, in ms
// since navigation start, and every title the form shows, at Date.now() so a live swap can be
// timed against the benchmark's clock (same machine, same wall clock).
function instrument() {
  const marks = { formAt: undefined, titles: [] };
  Object.defineProperty(window, '__bench', { value: marks });
  new MutationObserver(function note() {
    if (marks.formAt === undefined && document.querySelector('[data-testid="login-form"]')) marks.formAt = performance.now();
    const title = document.querySelector('[data-testid="login-title"]')?.textContent;
    if (title != null && title !== marks.titles.at(-1)?.title) marks.titles.push({ title, at: Date.now() });
  }).observe(document, { childList: true, subtree: true, characterData: true });
}
