// The README's quick start, timed: a fresh clone of this checkout's HEAD, `npm ci`, then
// `npm start` to its banner three times: first (everything built), second (nothing changed),
// and after an edit of the user service's ProfileCard (one package and one container rebuilt).
// Each run is stopped with SIGINT to its process group, as Ctrl-C does. Ports are free ones.
//   node bench/start-time.mjs [--keep]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BANNER = 'modmesh example system is running';
const START_DEADLINE_MS = 600_000;

const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-start-time-'));
const checkout = path.join(work, 'modmesh');
try {
  console.log(`cloning ${root} (HEAD ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()}) and running npm ci...`);
  execFileSync('git', ['clone', '--quiet', root, checkout]);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: checkout, stdio: 'inherit' });
  const ports = await freePorts(['REGISTRY_PORT', 'AUTH_SERVICE_PORT', 'USER_SERVICE_PORT', 'SHELL_PORT']);
  const rows = [];
  rows.push(['first, after npm ci', await timedStart(ports)]);
  rows.push(['second, nothing changed', await timedStart(ports)]);
  appendFileSync(path.join(checkout, 'examples/user-service/src/ui/ProfileCard.tsx'), '\n// edited by bench/start-time.mjs\n');
  rows.push(['after editing ProfileCard.tsx', await timedStart(ports)]);
  console.log(`\n| start | npm start to the banner |\n|---|---|`);
  for (const [what, ms] of rows) console.log(`| ${what} | ${(ms / 1000).toFixed(1)} s |`);
  console.log(`\n${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, ${new Date().toISOString()}`);
} finally {
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
}

// --- internal ---

async function timedStart(ports) {
  const started = performance.now();
  const child = spawn('npm', ['start'], { cwd: checkout, env: { ...process.env, ...ports }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const onData = (chunk) => {
    text += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const exited = once(child, 'exit');
  const ms = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within ${START_DEADLINE_MS} ms:\n${text.slice(-3000)}`)), START_DEADLINE_MS);
    const poll = setInterval(() => {
      if (!text.includes(BANNER)) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(performance.now() - started);
    }, 50);
    exited.then(() => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`npm start exited before its banner:\n${text.slice(-3000)}`));
    });
  });
  process.kill(-child.pid, 'SIGINT');
  await exited;
  return ms;
}

async function freePorts(names) {
  const ports = {};
  for (const name of names) {
    const server = net.createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports[name] = String(server.address().port);
    await new Promise((resolve) => server.close(resolve));
  }
  return ports;
}
