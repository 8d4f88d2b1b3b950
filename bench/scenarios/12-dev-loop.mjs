// The dev loop: `modmesh dev` watching a workspace of one service (a Node container and a
// browser one, both showing the text of src/text.ts), Node hosts (their own processes) and the
// web shell's page in headless Chromium following its `dev` tag. Each round saves a new text
// into src/text.ts and times, from just before the write, until every host serves it: each Node
// host logs its swap with a timestamp (hosts/dev-host.mjs), the page records when the new text is
// in the DOM (a MutationObserver, Date.now(): the same clock). Also reported: the build and the
// publish of each round, as `modmesh dev` prints them.
// Aim: the save reaching every host under one second (median).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromiumUnavailable, launchChromium } from '../hosts/browser.mjs';
import { cliScript, root, startProcess, workDir } from '../lib.mjs';

export const title = 'Dev loop: a saved source to every host serving it';

const ROUNDS = { full: 20, quick: 2 };
const NODE_HOSTS = { full: 4, quick: 1 };
const START_DEADLINE_MS = 120_000;
const ROUND_DEADLINE_MS = 30_000;
const shellScript = path.join(root, 'examples/web-shell/dist/server/main.js');

export async function run({ quick, log }) {
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const dir = workDir('dev-loop');
  const workspace = writeWorkspace(path.join(dir, 'workspace'));
  const registry = await startProcess(cliScript, {
    args: ['registry', 'start', '--port', '0', '--data', path.join(dir, 'registry')],
    env: { MODMESH_LOG_LEVEL: 'warn' },
  });
  const dev = startDev(workspace, registry.url, readFileSync(path.join(dir, 'registry/admin-token'), 'utf8').trim());
  const chromium = chromiumUnavailable() ? undefined : await launchChromium();
  try {
    await dev.waitFor(/greeter {2}✓ live 0\.0\.0-dev\.1 /, START_DEADLINE_MS);
    const keyFile = path.join(workspace, '.modmesh/dev/greeter.pub');
    const hosts = [];
    for (let index = 0; index < (quick ? NODE_HOSTS.quick : NODE_HOSTS.full); index++) {
      hosts.push(
        await startProcess(path.join(root, 'bench/hosts/dev-host.mjs'), {
          env: { MODMESH_REGISTRY: registry.url, DEV_KEY_FILE: keyFile, MODMESH_CACHE_DIR: path.join(dir, `cache-${index}`) },
          deadlineMs: START_DEADLINE_MS,
        }),
      );
    }
    const page = chromium && (await openShell(chromium.browser, registry.url, keyFile));
    log(`${hosts.length} Node hosts${page ? ' and a page' : ''} on 0.0.0-dev.1`);

    const samples = { all: [], node: [], page: [], build: [], publish: [] };
    for (let round = 1; round <= rounds; round++) {
      const text = `text of round ${round}`;
      const version = `0.0.0-dev.${round + 1}`;
      const seen = hosts.map((host) => waitForSwap(host, version));
      if (page) await page.evaluate((expected) => window.__expect(expected), text);
      const savedAt = Date.now();
      writeFileSync(path.join(workspace, 'greeter/src/text.ts'), `export const TEXT = ${JSON.stringify(text)};\n`);
      const nodeAt = Math.max(...(await Promise.all(seen)));
      const pageAt = page ? await page.evaluate(() => window.__shown) : nodeAt;
      const line = await dev.waitFor(new RegExp(`live ${version.replace(/\./g, '\\.')} \\(build (\\d+) ms, publish (\\d+) ms\\)`), ROUND_DEADLINE_MS);
      samples.node.push(nodeAt - savedAt);
      if (page) samples.page.push(pageAt - savedAt);
      samples.all.push(Math.max(nodeAt, pageAt) - savedAt);
      samples.build.push(Number(line[1]));
      samples.publish.push(Number(line[2]));
      log(
        `round ${round}/${rounds}: every host in ${samples.all.at(-1)} ms (Node ${samples.node.at(-1)}, page ${samples.page.at(-1) ?? '-'}; build ${line[1]}, publish ${line[2]})`,
      );
    }
    await Promise.all(hosts.map((host) => host.stop()));
    return report(samples, hosts.length, chromium);
  } finally {
    await chromium?.stop();
    await dev.stop();
    await registry.stop();
  }
}

// --- internal ---

function report(samples, nodeHosts, chromium) {
  const who = `${nodeHosts} Node hosts${chromium ? ' and a page' : ''}`;
  return {
    metrics: [
      {
        name: `save to every host serving it (${who})`,
        unit: 'ms',
        variants: { modmesh: samples.all },
        aim: { on: 'modmesh', max: 1000, text: 'median < 1 s' },
      },
      { name: 'save to the last Node host serving it', unit: 'ms', variants: { modmesh: samples.node } },
      ...(chromium ? [{ name: 'save to the page showing it (no reload)', unit: 'ms', variants: { modmesh: samples.page } }] : []),
      { name: 'of which the build (rspack, with declarations)', unit: 'ms', variants: { modmesh: samples.build } },
      { name: 'of which the publish (sign, upload, tag dev)', unit: 'ms', variants: { modmesh: samples.publish } },
    ],
    notes: [
      `modmesh dev (rspack) watching a workspace of one service with a Node and a browser container, both showing src/text.ts; ${who} following greeter@dev${chromium ? ` (the web shell in headless Chromium ${chromium.version}, its auth slot on greeter@dev)` : ''}. Each round writes a new src/text.ts and is timed from just before the write to the last host serving the new text: the Node hosts' swap log lines and the page's MutationObserver, all on this machine's clock.`,
      'What a round holds: the watcher noticing the file (and 150 ms for more saves), the config read again, both containers and their declarations built, the release signed and published as the next 0.0.0-dev.N with the tag moved in the same step, the registry pushing the move, and each host fetching, verifying and swapping.',
      ...(chromium ? [] : [`no page: ${chromiumUnavailable()}`]),
    ],
  };
}

// `modmesh dev` at the workspace's root, its output kept; `waitFor` resolves with the first line matching.
function startDev(workspace, registryUrl, adminToken) {
  const child = spawn(process.execPath, [cliScript, 'dev', '--registry', registryUrl], {
    cwd: workspace,
    env: { ...process.env, MODMESH_TOKEN: adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  let buffered = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  let searched = 0;
  return {
    async waitFor(pattern, deadlineMs) {
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        for (; searched < lines.length; searched++) {
          const match = pattern.exec(lines[searched]);
          if (match) return match;
        }
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`modmesh dev: no ${pattern} within ${deadlineMs} ms:\n${lines.slice(-20).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

async function waitForSwap(host, version) {
  const deadline = Date.now() + ROUND_DEADLINE_MS;
  for (let seen = 0; ; ) {
    for (; seen < host.lines.length; seen++) {
      try {
        const line = JSON.parse(host.lines[seen]);
        if (line.msg === 'swapped' && line.to === version) return line.at;
      } catch {}
    }
    if (Date.now() > deadline) throw new Error(`a host did not swap to ${version}:\n${host.lines.slice(-10).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// The web shell with its auth slot on greeter@dev, and in the page a clock for the next text.
async function openShell(browser, registryUrl, keyFile) {
  const key = readFileSync(keyFile, 'utf8').trim();
  const shell = await startProcess(shellScript, {
    env: { SHELL_PORT: '0', MODMESH_REGISTRY: registryUrl, AUTH_REMOTE: 'greeter@dev', MODMESH_TRUST_AUTH: key, MODMESH_TRUST_USER: key },
  });
  const page = await browser.newPage();
  await page.goto(shell.url);
  await page.waitForSelector('[data-testid="dev-text"]', { timeout: START_DEADLINE_MS });
  await page.evaluate(() => {
    window.__expect = (expected) => {
      window.__shown = new Promise((resolve) => {
        const check = () => {
          if (document.querySelector('[data-testid="dev-text"]')?.textContent !== expected) return false;
          resolve(Date.now());
          return true;
        };
        if (check()) return;
        const observer = new MutationObserver(() => check() && observer.disconnect());
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    };
  });
  return page;
}

// The workspace of one service, as in test/e2e/src/dev.test.ts.
function writeWorkspace(dir) {
  mkdirSync(path.join(dir, 'greeter/src'), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'workspace', private: true, type: 'module', workspaces: ['greeter'] }));
  const config = {
    name: 'greeter',
    targets: { node: { exposes: { './greeting': './src/greeting.ts' } }, web: { exposes: { './LoginForm': './src/LoginForm.tsx' }, shared: ['react'] } },
  };
  writeFileSync(path.join(dir, 'greeter/modmesh.config.ts'), `export default ${JSON.stringify(config)};\n`);
  writeFileSync(path.join(dir, 'greeter/src/text.ts'), "export const TEXT = 'first';\n");
  writeFileSync(
    path.join(dir, 'greeter/src/greeting.ts'),
    "import { TEXT } from './text.js';\nexport function greet(name: string): string {\n  return TEXT + ' ' + name;\n}\n",
  );
  writeFileSync(
    path.join(dir, 'greeter/src/LoginForm.tsx'),
    "import * as React from 'react';\nimport { TEXT } from './text.js';\nexport default function LoginForm(): React.ReactElement {\n  return <h2 data-testid=\"dev-text\">{TEXT}</h2>;\n}\n",
  );
  return dir;
}
