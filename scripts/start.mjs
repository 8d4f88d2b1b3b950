// `npm start`: builds the example system and runs it on this machine, in development mode:
// the registry (with its dashboard), dev publisher keys and tokens (made once, under
// .modmesh/dev), the auth service's Node and browser containers published as one release
// tagged stable, the user service's browser container likewise, the two services, and the web
// shell that composes the browser modules.
//   REGISTRY_PORT (4000), AUTH_SERVICE_PORT (3001), USER_SERVICE_PORT (3000), SHELL_PORT (8080),
//   HOST (127.0.0.1)
// Ctrl-C stops every process it started.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const host = process.env.HOST ?? '127.0.0.1';
const registryPort = process.env.REGISTRY_PORT ?? '4000';
const authPort = process.env.AUTH_SERVICE_PORT ?? '3001';
const userPort = process.env.USER_SERVICE_PORT ?? '3000';
const shellPort = process.env.SHELL_PORT ?? '8080';
const devEnv = { ...process.env, NODE_ENV: 'development', HOST: host };

// Fastify's per-request lines: the registry answers hosts' reports and event streams all the time.
const QUIET = /^(incoming request|request completed|Server listening at)/;
const COLORS = { registry: 33, 'auth-service': 35, 'user-service': 36, 'web-shell': 32 };
const DEV_DIR = path.join(root, '.modmesh/dev');
const DATA_DIR = path.join(root, '.modmesh/registry');
// What each remote publishes: one directory per release, a container per target inside.
const RELEASE_DIRS = {
  auth: path.join(root, 'examples/auth-service/dist/release'),
  user: path.join(root, 'examples/user-service/dist/release'),
};
const CLI = path.join(root, 'packages/cli/bin/modmesh.js');
const LEVEL_COLORS = { warn: 33, error: 31 };
const color = (code, text) => (process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);

step('Building', () => run('npm', ['run', 'build', '--silent']));
step(
  'Building the auth service containers (Node and browser)',
  () =>
    run('npm', ['run', 'build:remote', '--silent', '-w', '@modmesh-example/auth-service'], { AUTH_REMOTE_DIR: path.join(RELEASE_DIRS.auth, 'node') }) ||
    run('npm', ['run', 'build:web', '--silent', '-w', '@modmesh-example/auth-service'], { AUTH_WEB_DIR: path.join(RELEASE_DIRS.auth, 'web') }),
);
step('Building the user service container (browser)', () =>
  run('npm', ['run', 'build:web', '--silent', '-w', '@modmesh-example/user-service'], { USER_WEB_DIR: path.join(RELEASE_DIRS.user, 'web') }),
);

const children = [];
let stopping = false;
// Whatever way this process ends, it takes the services it started with it.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
process.on('uncaughtException', (error) => {
  console.error(`\nnpm start failed: ${error.stack ?? error}`);
  stopAll(1);
});

const registry = await startService('registry', 'packages/cli/bin/modmesh.js', {}, [
  'registry',
  'start',
  '--port',
  registryPort,
  '--host',
  host,
  '--data',
  DATA_DIR,
]);
const cliEnv = { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: readFileSync(path.join(DATA_DIR, 'admin-token'), 'utf8').trim() };
const keys = { auth: await ensureDevPublisher('auth', cliEnv), user: await ensureDevPublisher('user', cliEnv) };
const versions = { auth: await publishBuild('auth', cliEnv), user: await publishBuild('user', cliEnv) };

const auth = await startService('auth-service', 'examples/auth-service/dist/server/main.js', { PORT: authPort });
const authUrl = auth.url;
const user = await startService('user-service', 'examples/user-service/dist/main.js', {
  PORT: userPort,
  MODMESH_REGISTRY: registry.url,
  MODMESH_TRUST_AUTH: keys.auth,
  MODMESH_CACHE_DIR: path.join(root, '.modmesh/cache/user-service'),
});
const shell = await startService('web-shell', 'examples/web-shell/dist/server/main.js', {
  SHELL_PORT: shellPort,
  MODMESH_REGISTRY: registry.url,
  MODMESH_TRUST_AUTH: keys.auth,
  MODMESH_TRUST_USER: keys.user,
  AUTH_URL: authUrl,
  USER_URL: user.url,
});

console.log(`
  modmesh example system is running

  Web shell      ${shell.url}   (open it: sign in as alice / wonderland)
  Dashboard      ${registry.url}/   (sign in with the admin token in .modmesh/registry/admin-token)
  Registry       ${registry.url}   (auth@${versions.auth} and user@${versions.user} are tagged stable)
  Auth Service   ${authUrl}   (exposes LoginForm to browsers, tokenValidator to hosts)
  User Service   ${user.url}   (runs auth/tokenValidator from the registry, verified; exposes ProfileCard)

  Log in as alice, then call /profile with the token:

    TOKEN=$(curl -s -X POST ${authUrl}/login -H 'content-type: application/json' \\
      -d '{"username":"alice","password":"wonderland"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
    curl -s ${user.url}/profile -H "Authorization: Bearer $TOKEN"

  Health (which release runs, which shared copies are used): curl -s ${user.url}/health
  The registry from the CLI:  MODMESH_REGISTRY=${registry.url} npx modmesh ls auth
  Press Ctrl-C to stop.
`);

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));

// --- internal ---

function step(title, action) {
  console.log(color(2, `> ${title}...`));
  const status = action();
  if (status !== 0) {
    console.error(`\n${title} failed (exit ${status}); see the output above.`);
    process.exit(status ?? 1);
  }
}

function run(command, args, env = {}) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...devEnv, ...env } }).status;
}

// The dev publisher of a remote: a key pair registered for it, and a publish token scoped to
// it, made once and kept under .modmesh/dev. Returns the public key hosts and pages trust.
async function ensureDevPublisher(remote, env) {
  mkdirSync(DEV_DIR, { recursive: true, mode: 0o700 });
  const keyFile = path.join(DEV_DIR, `${remote}.key`);
  if (!existsSync(keyFile)) cli(['keys', 'generate', '--out', DEV_DIR, '--name', remote], env);
  cli(['trust', 'add', remote, path.join(DEV_DIR, `${remote}.pub`), '--label', 'npm start dev key'], env);
  const tokenFile = path.join(DEV_DIR, `${remote}.token`);
  if (!existsSync(tokenFile)) {
    const { token } = JSON.parse(cli(['token', 'create', '--remote', remote, '--label', 'npm start', '--json'], env));
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  }
  return readFileSync(path.join(DEV_DIR, `${remote}.pub`), 'utf8').trim();
}

// Publishes a remote's release directory as 1.0.0 tagged stable; when that version already
// holds other bytes (the code changed since), as the next patch version. The same bytes are not
// republished.
async function publishBuild(remote, env) {
  const dir = RELEASE_DIRS[remote];
  const local = new Map(
    listFiles(dir).map((file) => [
      file,
      createHash('sha256')
        .update(readFileSync(path.join(dir, file)))
        .digest('hex'),
    ]),
  );
  const known = await fetch(`${env.MODMESH_REGISTRY}/v1/remotes/${remote}`).then((response) => response.json());
  const versions = (known.versions ?? []).map((entry) => entry.version);
  for (const version of versions) {
    const { manifest } = await fetch(`${env.MODMESH_REGISTRY}/v1/remotes/${remote}/releases/${version}`).then((response) => response.json());
    const same = manifest.files.length === local.size && manifest.files.every((file) => local.get(file.path) === file.sha256);
    if (same) {
      const stable = (known.tags ?? []).find((tag) => tag.tag === 'stable')?.version ?? null;
      if (stable !== version) cli(['tag', 'set', remote, 'stable', version, '--reason', 'npm start'], env);
      console.log(color(2, `> ${remote}@${version} already holds this build`));
      return version;
    }
  }
  const latest = versions
    .map((version) => version.split('.').map(Number))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
    .at(-1);
  const version = latest ? `${latest[0]}.${latest[1]}.${latest[2] + 1}` : '1.0.0';
  const token = readFileSync(path.join(DEV_DIR, `${remote}.token`), 'utf8').trim();
  cli(['publish', dir, '--name', remote, '--version', version, '--tag', 'stable', '--key', path.join(DEV_DIR, `${remote}.key`), '--reason', 'npm start'], {
    ...env,
    MODMESH_TOKEN: token,
  });
  return version;
}

// Every regular file under dir, as forward-slash paths relative to it.
function listFiles(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listFiles(dir, relative);
    return entry.isFile() ? [relative] : [];
  });
}

function cli(args, env) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: root, env: { ...devEnv, ...env }, encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`modmesh ${args.join(' ')} failed:\n${result.stderr}`);
    stopAll(1);
    throw new Error('stopped');
  }
  if (result.stderr.trim()) process.stderr.write(color(2, result.stderr));
  return result.stdout;
}

function startService(name, script, env, args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, script), ...args], { cwd: root, env: { ...devEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const entry = parse(line);
        print(name, entry, line);
        if (entry?.msg === 'listening') resolve({ url: entry.url });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', (code, signal) => {
      reject(new Error(`${name} exited before listening`));
      if (!stopping) {
        console.error(`\n${name} stopped unexpectedly (${signal ?? `exit ${code}`}); stopping everything.`);
        stopAll(1);
      }
    });
  });
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

function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
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
  }, 5000).unref();
}
