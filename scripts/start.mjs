// `npm start`: builds the example system and runs it on this machine, in development mode:
// the registry (with its dashboard), a dev root of trust with publisher and mover keys and
// tokens (made once, under .modmesh/dev: lib/dev-registry.mjs), the auth service's Node and
// browser containers published as one release tagged stable, the user service's browser
// container likewise, the two services, and the web shell that composes the browser modules (the
// user service and the page trust the root, nothing else). Builds whose inputs did not change since the last
// start are skipped (scripts/lib/incremental.mjs).
//   REGISTRY_PORT (4000), AUTH_SERVICE_PORT (3001), USER_SERVICE_PORT (3000), SHELL_PORT (8080),
//   HOST (127.0.0.1)
// Ctrl-C stops every process it started. A port in use or a service that cannot start stops
// everything too, with a coded error naming the service, the port and the variable to change.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDevRegistry } from './lib/dev-registry.mjs';
import { containerSteps, exampleLayout, workspaceSteps } from './lib/example-build.mjs';
import { createBuilder } from './lib/incremental.mjs';

const startedAt = performance.now();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const host = process.env.HOST ?? '127.0.0.1';
// Each process, the variable that sets its port, and its default.
const SERVICES = {
  registry: { variable: 'REGISTRY_PORT', port: '4000' },
  'auth-service': { variable: 'AUTH_SERVICE_PORT', port: '3001' },
  'user-service': { variable: 'USER_SERVICE_PORT', port: '3000' },
  'web-shell': { variable: 'SHELL_PORT', port: '8080' },
};
// Where each container goes is the services' own config; this would make the auth service
// serve a Node container from outside the release npm start publishes (for tests and benchmarks).
const CONTAINER_DIR_OVERRIDES = ['AUTH_REMOTE_DIR'];
// What the example trusts is npm start's dev root: keys or a root from the user's shell (say
// from following the README by hand) would be refused beside it.
const TRUST_SETTINGS = Object.keys(process.env).filter((name) => name.startsWith('MODMESH_TRUST_') || name === 'MODMESH_ROOT');
const devEnv = { ...withoutKeys(process.env, [...CONTAINER_DIR_OVERRIDES, ...TRUST_SETTINGS]), NODE_ENV: 'development', HOST: host };

// Fastify's per-request lines: the registry answers hosts' reports and event streams all the time.
const QUIET = /^(incoming request|request completed|Server listening at)/;
const COLORS = { registry: 33, 'auth-service': 35, 'user-service': 36, 'web-shell': 32 };
const DEV_DIR = path.join(root, '.modmesh/dev');
const DATA_DIR = path.join(root, '.modmesh/registry');
const STAMP_DIR = path.join(root, '.modmesh/build');
const CLI = path.join(root, 'packages/cli/bin/modmesh.js');
const LEVEL_COLORS = { warn: 33, error: 31 };
// How long a stopped service gets to exit before it is killed.
const STOP_GRACE_MS = 5000;
const color = (code, text) => (process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);

const children = new Set();
let stopping = false;
// Thrown by fail() to end the flow that failed; everything is already being stopped.
class Stopped extends Error {}
// Whatever way this process ends, it takes the processes it started with it.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
process.on('uncaughtException', onUnexpected);
process.on('unhandledRejection', onUnexpected);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));
main().catch(onUnexpected);

async function main() {
  const ports = readPorts();
  await checkPortsFree(ports);
  await buildAll();

  const registry = await startService('registry', ports.registry, 'packages/cli/bin/modmesh.js', {}, [
    'registry',
    'start',
    '--port',
    ports.registry,
    '--host',
    host,
    '--data',
    DATA_DIR,
  ]);
  // The auth service needs nothing from the registry: it starts while the releases are published.
  const authStarting = startService('auth-service', ports['auth-service'], 'examples/auth-service/dist/server/main.js', { PORT: ports['auth-service'] });
  const layout = await exampleLayout(root, devEnv);
  const cliEnv = { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: readFileSync(path.join(DATA_DIR, 'admin-token'), 'utf8').trim() };
  const dev = createDevRegistry({
    registryUrl: registry.url,
    dataDir: DATA_DIR,
    devDir: DEV_DIR,
    cli,
    env: cliEnv,
    log: (line) => console.log(color(2, line)),
    fail,
  });
  const rootFile = await dev.ensureRoot(['auth', 'user']);
  const versions = { auth: await dev.publishBuild('auth', layout.auth.releaseDir), user: await dev.publishBuild('user', layout.user.releaseDir) };

  const auth = await authStarting;
  const user = await startService('user-service', ports['user-service'], 'examples/user-service/dist/main.js', {
    PORT: ports['user-service'],
    MODMESH_REGISTRY: registry.url,
    MODMESH_ROOT: rootFile,
    MODMESH_CACHE_DIR: path.join(root, '.modmesh/cache/user-service'),
  });
  const shell = await startService('web-shell', ports['web-shell'], 'examples/web-shell/dist/server/main.js', {
    SHELL_PORT: ports['web-shell'],
    MODMESH_REGISTRY: registry.url,
    MODMESH_ROOT: rootFile,
    AUTH_URL: auth.url,
    USER_URL: user.url,
  });

  console.log(`
  modmesh example system is running (started in ${seconds(performance.now() - startedAt)})

  Web shell      ${shell.url}   (open it: sign in as alice / wonderland)
  Dashboard      ${registry.url}/   (sign in with the admin token in .modmesh/registry/admin-token)
  Registry       ${registry.url}   (auth@${versions.auth} and user@${versions.user} are tagged stable)
  Auth Service   ${auth.url}   (exposes LoginForm to browsers, tokenValidator to hosts)
  User Service   ${user.url}   (runs auth/tokenValidator from the registry, verified; exposes ProfileCard)

  Log in as alice, then call /profile with the token:

    TOKEN=$(curl -s -X POST ${auth.url}/login -H 'content-type: application/json' \\
      -d '{"username":"alice","password":"wonderland"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
    curl -s ${user.url}/profile -H "Authorization: Bearer $TOKEN"

  Health (which release runs, which shared copies are used): curl -s ${user.url}/health
  The registry from the CLI:  MODMESH_REGISTRY=${registry.url} npx modmesh ls auth
  Move a tag, signed by the dev mover key (the registry moves none on its own word):
    MODMESH_REGISTRY=${registry.url} MODMESH_ROOT=${path.relative(root, rootFile)} MODMESH_TOKEN=$(cat ${path.relative(root, path.join(DATA_DIR, 'admin-token'))}) \\
      npx modmesh tag set auth stable VERSION --key ${path.relative(root, path.join(DEV_DIR, 'mover.key'))} [--rollback]
  Press Ctrl-C to stop.
`);
}

// --- internal ---

// The port of each service from its variable; a value that is not a port, or two services on
// one port, stops here, before anything is built or started.
function readPorts() {
  const chosen = {};
  for (const [name, { variable, port }] of Object.entries(SERVICES)) {
    const text = process.env[variable] ?? port;
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) {
      fail(
        'MODMESH_USAGE',
        `${variable}=${JSON.stringify(text)} is not a port number (${name})`,
        `Set ${variable} to a port from 1 to 65535, or 0 for any free one.`,
      );
    }
    const clash = Object.entries(chosen).find(([, other]) => other === text && text !== '0');
    if (clash) {
      const other = SERVICES[clash[0]].variable;
      fail(
        'MODMESH_USAGE',
        `${name} and ${clash[0]} are both given port ${text} (${variable} and ${other})`,
        `Give each its own port, e.g. ${variable}=${Number(text) + 100}.`,
      );
    }
    chosen[name] = text;
  }
  return chosen;
}

async function checkPortsFree(chosen) {
  for (const [name, port] of Object.entries(chosen)) {
    if (port === '0') continue;
    const problem = await portProblem(port);
    if (problem) portRefused(name, port, problem);
  }
}

// Undefined when something could listen on `port` now; otherwise the error code (EADDRINUSE...).
function portProblem(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error) => resolve(error.code ?? 'EUNKNOWN'));
    probe.listen({ port: Number(port), host, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

function portRefused(name, port, problem) {
  const { variable } = SERVICES[name];
  const why = problem === 'EADDRINUSE' ? 'is already in use' : problem === 'EACCES' ? 'may not be used by this user' : `cannot be used (${problem})`;
  fail(
    'MODMESH_PORT_IN_USE',
    `${name} cannot listen on ${host}:${port}: the port ${why}`,
    `Set ${variable} to a free port (${variable}=${Number(port) + 100} npm start), or stop what is listening on ${port}.`,
  );
}

async function buildAll() {
  let upToDate = [];
  const builder = createBuilder({
    root,
    stampDir: STAMP_DIR,
    env: devEnv,
    onChild: (child) => track(child),
    onStep({ step, state, ms }) {
      if (state === 'skipped') upToDate.push(step);
      else console.log(color(2, `> built ${step} (${seconds(ms)})`));
    },
  });
  const batch = async (title, steps) => {
    console.log(color(2, `> ${title}...`));
    upToDate = [];
    try {
      await builder.run(steps);
    } catch (error) {
      if (stopping) return new Promise(() => {});
      if (error.output) process.stderr.write(error.output);
      fail(
        'MODMESH_BUILD_FAILED',
        `${error.step ?? 'a build step'} failed: ${error.message}`,
        'Its output is above; fix what it names and run npm start again.',
      );
    }
    if (upToDate.length > 0) console.log(color(2, `> up to date: ${upToDate.join(', ')}`));
  };

  await batch('Building the packages and services', workspaceSteps(root));
  // The dev token-signing key decides which public key the validator build trusts: made (once,
  // into examples/auth-service/.env) before the build that reads it.
  const layout = await exampleLayout(root, devEnv);
  const { loadTrustedKeys } = await import(pathToFileURL(path.join(root, 'examples/auth-service/dist/server/keys.js')).href);
  loadTrustedKeys({ env: devEnv, envFile: layout.auth.envFile, warn: (message) => console.log(color(33, `auth-service  ${message}`)) });
  await batch('Building the containers (auth: Node and browser, user: browser)', containerSteps(root, layout, devEnv));
}

function cli(args, env) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: root, env: { ...devEnv, ...env }, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    fail(
      'MODMESH_START_FAILED',
      `modmesh ${args[0]} ${args[1] ?? ''} failed (exit ${result.status ?? result.signal}) while setting up the example registry`,
      'Its error is above.',
    );
  }
  // What the CLI explains as it signs is for people running it by hand; the steps above say
  // what was done. On failure it is shown in full.
  return result.stdout;
}

function startService(name, port, script, env, args = []) {
  return new Promise((resolve) => {
    const child = track(
      spawn(process.execPath, [path.join(root, script), ...args], { cwd: root, env: { ...devEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let listening = false;
    let lastError;
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const entry = parse(line);
        print(name, entry, line);
        if (entry?.level === 'error' || (!entry && /\bMODMESH_[A-Z_]+\b/.test(line))) lastError = entry?.msg ?? line.trim();
        if (entry?.msg === 'listening') {
          listening = true;
          resolve({ url: entry.url });
        }
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', async (code, signal) => {
      if (stopping) return;
      const how = signal ?? `exit ${code}`;
      if (listening) {
        console.error(color(31, `\n${name} stopped unexpectedly (${how}); stopping everything.`));
        return stopAll(1);
      }
      // Whatever the service said, a port someone else holds now is the reason to give.
      const problem = port === '0' ? undefined : await portProblem(port);
      if (problem === 'EADDRINUSE' || problem === 'EACCES') portRefused(name, port, problem);
      const { variable } = SERVICES[name];
      fail(
        'MODMESH_START_FAILED',
        `${name} (port ${port}, ${variable}) stopped before it listened (${how})${lastError ? `: ${lastError}` : ''}`,
        `Its log is above. If its port is the problem, start with ${variable}=<another port>.`,
      );
    });
  });
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function parse(line) {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function print(name, entry, raw) {
  if (!raw.trim() || QUIET.test(entry?.msg ?? '')) return;
  const label = color(COLORS[name] ?? 0, name.padEnd(12));
  if (!entry) return console.log(`${label} ${raw}`);
  const { time, level, service, msg, ...fields } = entry;
  const details = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const text = `${msg}${details ? `  ${color(2, details)}` : ''}`;
  console.log(`${label} ${LEVEL_COLORS[level] ? color(LEVEL_COLORS[level], `${level} ${text}`) : text}`);
}

// A failure the user can fix: its code, what happened and what to do; then everything stops.
function fail(code, message, hint) {
  if (!stopping) console.error(`\n${color(31, `${code}: ${message}`)}\n  ${hint}\n`);
  stopAll(1);
  throw new Stopped(code);
}

// Anything else is a bug in this script: its stack, and everything stops.
function onUnexpected(error) {
  if (error instanceof Stopped) return;
  console.error(`\nnpm start failed: ${error?.stack ?? error}`);
  stopAll(1);
}

function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  const alive = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  if (alive.length === 0) process.exit(exitCode);
  let left = alive.length;
  for (const child of alive) {
    child.once('exit', () => {
      left -= 1;
      if (left === 0) process.exit(exitCode);
    });
    child.kill('SIGTERM');
  }
  setTimeout(() => {
    for (const child of alive) child.kill('SIGKILL');
  }, STOP_GRACE_MS).unref();
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function withoutKeys(object, keys) {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}
