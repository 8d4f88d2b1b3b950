// Shared pieces of the benchmarks: real processes on loopback, the registry through the real
// CLI, builds of the auth remote, and statistics. Every scenario uses these, so modmesh and
// stock Module Federation are measured the same way.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliScript = path.join(root, 'packages/cli/bin/modmesh.js');
export const userServiceScript = path.join(root, 'examples/user-service/dist/main.js');
export const authServiceScript = path.join(root, 'examples/auth-service/dist/server/main.js');

const started = new Set();

/** A temporary directory for one scenario. */
export function workDir(name) {
  return mkdtempSync(path.join(os.tmpdir(), `modmesh-bench-${name}-`));
}

/**
 * Starts a Node script as a real process and resolves once it logs a JSON line with
 * `"msg":"listening"` and a `url` (every modmesh service and bench host does).
 */
export function startProcess(script, { args = [], nodeArgs = [], env = {}, cwd, deadlineMs = 30_000 } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const handle = {
    child,
    pid: child.pid,
    url: '',
    lines: [],
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit');
      clearTimeout(timer);
      started.delete(handle);
    },
  };
  started.add(handle);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(script)}: not listening within ${deadlineMs} ms\n${handle.lines.slice(-20).join('\n')}`));
    }, deadlineMs);
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        handle.lines.push(line);
        if (handle.lines.length > 200) handle.lines.shift();
        if (!handle.url && line.includes('"msg":"listening"')) {
          handle.url = JSON.parse(line).url;
          clearTimeout(timer);
          resolve(handle);
        }
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!handle.url) reject(new Error(`${path.basename(script)} exited (${code})\n${handle.lines.slice(-20).join('\n')}`));
    });
  });
}

/** Stops every process the benchmarks started (also on failure). */
/**
 * The first JSON log line of a process from startProcess that `match`es, past or future; it
 * polls its lines every 5 ms (a timed measurement must not wait for a slower poll).
 */
export async function waitForLine(host, match, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  let seen = 0;
  for (;;) {
    for (; seen < host.lines.length; seen++) {
      let line;
      try {
        line = JSON.parse(host.lines[seen]);
      } catch {
        continue;
      }
      if (match(line)) return line;
    }
    if (Date.now() > deadline) throw new Error(`no matching log line within ${deadlineMs} ms:\n${host.lines.slice(-10).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function stopAll() {
  await Promise.all([...started].map((handle) => handle.stop()));
}

/** Runs the modmesh CLI to completion; throws with its stderr on failure. */
export function modmesh(args, env) {
  const result = spawnSync(process.execPath, [cliScript, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`modmesh ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/**
 * A registry process with a publisher for `auth` set up through the CLI:
 * `{ url, env (MODMESH_REGISTRY + admin token), publicKey, publish(dir, version, tag?), moveTag, stop }`.
 */
export async function startRegistryWithAuth(dir) {
  const dataDir = path.join(dir, 'registry');
  const registry = await startProcess(cliScript, { args: ['registry', 'start', '--port', '0', '--data', dataDir], env: { MODMESH_LOG_LEVEL: 'warn' } });
  const env = { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim() };
  const keys = path.join(dir, 'keys');
  modmesh(['keys', 'generate', '--out', keys, '--name', 'auth'], env);
  modmesh(['trust', 'add', 'auth', path.join(keys, 'auth.pub')], env);
  return {
    url: registry.url,
    env,
    process: registry,
    publicKey: readFileSync(path.join(keys, 'auth.pub'), 'utf8').trim(),
    publish(remoteDir, version, tag) {
      modmesh(['publish', remoteDir, '--name', 'auth', '--version', version, '--key', path.join(keys, 'auth.key'), ...(tag ? ['--tag', tag] : [])], env);
    },
    moveTag(tag, version) {
      modmesh(['tag', 'set', 'auth', tag, version], env);
    },
    stop: () => registry.stop(),
  };
}

/**
 * Builds the auth remote's Node container (webpack or rspack) into `outDir` with the given signing
 * key, the way its users build it (`modmesh build --target node` of examples/auth-service's
 * modmesh.config.ts), and returns the wall time of that command.
 */
export function buildAuth({ outDir, privateKeyPem, bundler = 'webpack', issuer }) {
  // modmesh build writes a release directory; the container is its node/.
  const release = `${outDir}.release`;
  mkdirSync(path.dirname(outDir), { recursive: true });
  const startedAt = performance.now();
  const result = spawnSync(
    process.execPath,
    [cliScript, 'build', path.join(root, 'examples/auth-service'), '--target', 'node', '--bundler', bundler, '--out', release],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        AUTH_PRIVATE_KEY: privateKeyPem,
        // Never the example's own .env: the key given here is the only one trusted.
        AUTH_ENV_FILE: path.join(release, 'none.env'),
        ...(issuer && { AUTH_ISSUER: issuer }),
      },
      encoding: 'utf8',
    },
  );
  const ms = performance.now() - startedAt;
  if (result.status !== 0) throw new Error(`build (${bundler}): ${result.stderr || result.stdout}`);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(path.join(release, 'node'), outDir);
  rmSync(release, { recursive: true, force: true });
  return ms;
}

/** A fresh EC P-256 key for the auth service (PEM). */
export function authKey() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Starts the auth service on a built remote and returns it with a token for alice. */
export async function startAuthWithToken({ remoteDir, privateKeyPem }) {
  const auth = await startProcess(authServiceScript, {
    env: { NODE_ENV: 'production', PORT: '0', AUTH_PRIVATE_KEY: privateKeyPem, AUTH_REMOTE_DIR: remoteDir, AUTH_ENV_FILE: path.join(remoteDir, 'none.env') },
  });
  const response = await fetch(`${auth.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"username":"alice","password":"wonderland"}',
  });
  const { token } = await response.json();
  return { auth, token };
}

/** Polls `url` until it answers 200 (with the bearer token), or throws after `deadlineMs`. */
export async function waitFor200(url, token, { deadlineMs = 30_000, intervalMs = 5 } = {}) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url}: no 200 within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** median, min, max, p99 of numbers. */
export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, median: at(0.5), min: sorted[0], max: sorted.at(-1), p99: at(0.99) };
}

export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Runs `work` for each variant alternately, `rounds` times: A B A B ..., so drift hits both. */
export async function alternate(rounds, variants, work) {
  const samples = Object.fromEntries(variants.map((variant) => [variant, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) samples[variant].push(await work(variant, round));
  }
  return samples;
}
