// `npm start`: builds the example system and runs it on this machine, in development mode.
//   AUTH_SERVICE_PORT (3001), USER_SERVICE_PORT (3000), HOST (127.0.0.1)
// Ctrl-C stops every process it started.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const host = process.env.HOST ?? '127.0.0.1';
const authPort = process.env.AUTH_SERVICE_PORT ?? '3001';
const userPort = process.env.USER_SERVICE_PORT ?? '3000';
const devEnv = { ...process.env, NODE_ENV: 'development', HOST: host };

const COLORS = { 'auth-service': 35, 'user-service': 36 };
const LEVEL_COLORS = { warn: 33, error: 31 };
const color = (code, text) => (process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);

step('Building', () => run('npm', ['run', 'build', '--silent']));
step('Building the auth service container', () => run('npm', ['run', 'build:remote', '--silent', '-w', '@modmesh-example/auth-service']));

const children = [];
let stopping = false;

const auth = await startService('auth-service', 'examples/auth-service/dist/server/main.js', { PORT: authPort });
const authUrl = auth.url;
const user = await startService('user-service', 'examples/user-service/dist/main.js', { PORT: userPort, AUTH_REMOTE_URL: `${authUrl}/remoteEntry.js` });

console.log(`
  modmesh example system is running

  Auth Service   ${authUrl}   (serves ${authUrl}/remoteEntry.js)
  User Service   ${user.url}

  Log in as alice, then call /profile with the token:

    TOKEN=$(curl -s -X POST ${authUrl}/login -H 'content-type: application/json' \\
      -d '{"username":"alice","password":"wonderland"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
    curl -s ${user.url}/profile -H "Authorization: Bearer $TOKEN"

  Health (which remote build runs, which shared copies are used): curl -s ${user.url}/health
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

function run(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env: devEnv }).status;
}

function startService(name, script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, script)], { cwd: root, env: { ...devEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  if (!raw.trim()) return;
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
