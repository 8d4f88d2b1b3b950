// The browser main application, in headless Chromium, modmesh and stock Module Federation side
// by side on the same LoginForm sources (hosts/web-fixture.mjs builds and starts both):
//   1. page open to the first federated module (the auth service's LoginForm) attached, each
//      sample in a new browser context (empty HTTP cache, no open connections);
//   2. the page's JS heap after a full GC, right after that first module;
//   3. modmesh only: a tag move to the new LoginForm shown in the open page, without a reload.
// Both variants are timed inside the page by the same MutationObserver (hosts/browser.mjs).
import { chromiumUnavailable, launchChromium, openFirstModule, openLive } from '../hosts/browser.mjs';
import { startWebFixture } from '../hosts/web-fixture.mjs';
import { alternate, authKey, stats, workDir } from '../lib.mjs';

export const title = 'Browser main application';

const VARIANTS = ['stock', 'modmesh'];
const ROUNDS = { full: { open: 20, swap: 20 }, quick: { open: 2, swap: 2 } };
// The two auth builds a live swap alternates between; the first is 1.0.0 and the stock build.
const TITLES = ['Sign in', 'Welcome back to Acme'];

export async function run({ quick, log }) {
  const unavailable = chromiumUnavailable();
  if (unavailable) return { metrics: [], notes: [`skipped: ${unavailable}`] };
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;

  const fixture = await startWebFixture({ dir: workDir('browser'), quick, titles: TITLES, privateKeyPem: authKey() });
  log(`built and started in ${(fixture.buildMs / 1000).toFixed(1)} s of builds; modmesh ${fixture.modmesh.url}, stock ${fixture.stock.url}`);
  const chromium = await launchChromium();
  log(`Chromium ${chromium.version}, pid ${chromium.pid}`);
  try {
    const open = await measureOpen(chromium.browser, fixture, rounds.open, log);
    const swap = await measureSwaps(chromium.browser, fixture.modmesh, rounds.swap, log);
    return report({ open, swap, fixture, chromium });
  } finally {
    await chromium.stop();
  }
}

// --- internal ---

// Page open, alternately, after one unrecorded open of each (the browser's own first-use costs).
async function measureOpen(browser, fixture, rounds, log) {
  const firstRequests = {};
  for (const variant of VARIANTS) firstRequests[variant] = (await openFirstModule(browser, fixture[variant].url)).requests;
  const samples = await alternate(rounds, VARIANTS, async function openPage(variant, round) {
    const sample = await openFirstModule(browser, fixture[variant].url);
    log(`round ${round + 1}/${rounds} ${variant}: LoginForm at ${sample.ms.toFixed(0)} ms, heap ${sample.heapMB.toFixed(1)} MB`);
    if (round === rounds - 1)
      log(`  its fetches (start-end ms): ${sample.timeline.map(({ url, start, end }) => `${shortPath(url)} ${start}-${end}`).join(', ')}`);
    return sample;
  });
  const pick = (key) => Object.fromEntries(VARIANTS.map((variant) => [variant, samples[variant].map((sample) => sample[key])]));
  const chains = Object.fromEntries(VARIANTS.map((variant) => [variant, describeChain(samples[variant])]));
  return { ms: pick('ms'), entryRequested: pick('entryRequested'), heapMB: pick('heapMB'), firstRequests, chains };
}

// Each round opens a page on the release stable points at, publishes a new version of the other
// build (not timed), and moves stable to it; timed from just before the move to the page showing
// the other title. A fresh page every round: the page has never loaded the build it swaps to (a
// page that had would still hold its chunks, webpack's chunk-loading global being per build).
async function measureSwaps(browser, modmesh, rounds, log) {
  const latency = [];
  let current = '1.0.0';
  for (let round = 1; round <= rounds; round++) {
    const build = round % 2;
    const version = `1.1.${round}`;
    modmesh.publishAuth(build, version);
    const live = await openLive(browser, modmesh.url);
    try {
      await live.page.waitForFunction(() => window.modmesh?.status().events === 'connected', undefined, { timeout: 30_000 });
      await live.page.evaluate(() => {
        window.notReloaded = true;
      });
      const seen = await live.titleCount();
      const movedAt = Date.now();
      await modmesh.moveStable(current, version);
      current = version;
      const shownAt = await live.titleAfter(seen, TITLES[build]);
      const { notReloaded, running } = await live.page.evaluate(() => ({
        notReloaded: window.notReloaded,
        running: document.querySelector('[data-testid="slot-module-auth"]')?.dataset.version,
      }));
      if (notReloaded !== true || running !== version) throw new Error(`round ${round}: the page reloaded or runs ${running}, not ${version}`);
      latency.push(shownAt - movedAt);
      log(`swap ${round}/${rounds}: ${TITLES[1 - build]} → ${TITLES[build]} (${version}) in ${shownAt - movedAt} ms`);
    } finally {
      await live.close();
    }
  }
  return latency;
}

function report({ open, swap, fixture, chromium }) {
  const paths = (urls) => urls.map(shortPath).join(', ');
  const { sizes } = fixture;
  return {
    metrics: [
      {
        name: 'page open to the first module (LoginForm) attached, cold cache',
        unit: 'ms',
        variants: open.ms,
        ratio: ['modmesh', 'stock'],
        aim: { on: 'ratio', max: 1.1, text: '≤ 1.1x stock' },
      },
      { name: 'of which navigation start to remoteEntry.js requested', unit: 'ms', variants: open.entryRequested, ratio: ['modmesh', 'stock'] },
      { name: 'JS heap after GC, after the first module', unit: 'MB', variants: open.heapMB, ratio: ['modmesh', 'stock'] },
      { name: 'tag move to the new LoginForm in the open page, no reload', unit: 'ms', variants: { modmesh: swap } },
    ],
    notes: [
      `headless Chromium ${chromium.version} (playwright-core), a new browser context per sample, variants alternating after one unrecorded open of each; timed in the page from navigation start to a MutationObserver seeing [data-testid="login-form"] attached; heap from the DevTools protocol (HeapProfiler.collectGarbage, Runtime.getHeapUsage).`,
      `modmesh is the web shell (examples/web-shell) following auth@stable: before the form it fetches /config.json, resolves auth@stable at the registry (one round trip returning the signed release), imports the trusted Ed25519 key and verifies the release's signature with WebCrypto, then loads remoteEntry.js and the LoginForm chunk from the registry (cross-origin, CORS) with <script integrity>, which the browser hashes (SHA-256) before running; meanwhile it opens the registry's event stream (from the start) and reports itself to the registry (POST /v1/consumers, as the module arrives, not waited for). Its page script also carries that runtime and the shell's header and activity list: ${sizes.modmesh.page} KB against the stock page's ${sizes.stock.page} KB (remoteEntry.js ${sizes.modmesh.remoteEntry} KB against ${sizes.stock.remoteEntry} KB).`,
      `stock is a page built with the web shell's webpack settings (bench/hosts/stock-web) that loads the same LoginForm sources, built by a plain @module-federation/enhanced webpack config with the exposes and shared packages of the auth service's modmesh.config.ts (no ModmeshWebPlugin), through @module-federation/runtime's createInstance + loadRemote from a static server on another port; no registry, no signature, no integrity. React ${fixture.reactVersion} bundled in each page and shared as a singleton, production builds, same stylesheet.`,
      `where the time goes (medians; "+N" is the page's own work, or waiting, between the previous answer and this request, "N ms" the fetch itself): modmesh ${open.chains.modmesh}; stock ${open.chains.stock}.`,
      `requests before the form: modmesh ${open.firstRequests.modmesh.length} (${paths(open.firstRequests.modmesh)}); stock ${open.firstRequests.stock.length} (${paths(open.firstRequests.stock)}).`,
      'live swap: each round opens a page on the current release, publishes a new version of the other auth build (not timed) and moves stable with compare-and-swap (PUT with the admin token); timed from just before the move to the new title in the page (Date.now() on both sides), checked to run the new version without a reload. The user service follows auth@stable too and swaps at the same time, as in the real system.',
      'stock has no live swap: a stock page runs the remote it loaded until it is reloaded (or until code of its own polls for a new build and re-registers the remote, as scenario 04 does for Node hosts), so there is no stock figure to set beside it.',
    ],
  };
}

// The page's way to the form, fetch by fetch (stylesheet and the modmesh page's report left
// out: nothing waits for them), as medians over the samples.
function describeChain(samples) {
  const steps = new Map();
  for (const sample of samples) {
    let previousEnd = 0;
    const [page, ...fetches] = sample.timeline;
    for (const { url, start, end } of [page, ...fetches.filter(({ url }) => !/\.css$|\/v1\/consumers$/.test(new URL(url).pathname))]) {
      const label = url === page.url ? 'document' : stepLabel(url);
      if (!steps.has(label)) steps.set(label, { gap: [], fetch: [] });
      steps.get(label).gap.push(start - previousEnd);
      steps.get(label).fetch.push(end - start);
      previousEnd = end;
    }
    if (!steps.has('form')) steps.set('form', { gap: [], fetch: [] });
    steps.get('form').gap.push(sample.ms - previousEnd);
  }
  const ms = (values) => stats(values).median.toFixed(0);
  return [...steps].map(([label, { gap, fetch }]) => (fetch.length ? `+${ms(gap)} ${label} ${ms(fetch)} ms` : `+${ms(gap)} ${label}`)).join(', ');
}

// A fetch named by its file (content hash left out), the registry's resolve by what it resolves.
function stepLabel(url) {
  const parts = new URL(url).pathname.split('/');
  const file = parts.at(-1);
  return parts.at(-2) === 'resolve' ? `resolve/${file}` : file.replace(/\.[0-9a-f]{12}\.js$/, '.js');
}

// A registry file's path without the release's version, a page's without its query.
function shortPath(url) {
  return new URL(url).pathname.replace(/\/releases\/[^/]+\/files\//, '/…/');
}
