// nginx as a static file server for the benchmarks: the practical ceiling that a modmesh
// endpoint is compared with. Kept out of lib.mjs so scenarios that do not need nginx do not
// depend on it; nothing here is modmesh-specific.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// Debian installs nginx in /usr/sbin, which is not on a non-root user's PATH.
const NGINX_CANDIDATES = ['nginx', '/usr/sbin/nginx'];
// How long nginx gets to answer after starting, and to exit after SIGTERM before SIGKILL.
const START_DEADLINE_MS = 10_000;
const STOP_DEADLINE_MS = 5_000;
const PROBE_TIMEOUT_MS = 1_000;
// A port picked free can be taken before nginx binds it; nginx is started again on a new one.
const BIND_ATTEMPTS = 3;

/** The nginx executable to run, or undefined when nginx is not installed. */
export function findNginx() {
  return NGINX_CANDIDATES.find(function runs(command) {
    return !spawnSync(command, ['-v'], { stdio: 'ignore' }).error;
  });
}

/**
 * Starts nginx in the foreground serving `files` (URL path → Buffer) from `dir`, on
 * 127.0.0.1 and a free port. Resolves once it answers `probePath` with 200.
 * Returns `{ url, pid, stop }`; the caller stops it (by PID) in a finally.
 */
export async function startNginx({ nginx, dir, files, probePath }) {
  const docRoot = path.join(dir, 'www');
  for (const [urlPath, bytes] of Object.entries(files)) {
    const file = path.join(docRoot, ...urlPath.split('/').filter(Boolean));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
  let lastError;
  for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
    const port = await freePort();
    const conf = path.join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConf({ dir, docRoot, port }));
    try {
      return await launch({ nginx, dir, conf, url: `http://127.0.0.1:${port}`, probePath });
    } catch (error) {
      lastError = error;
      if (!/Address already in use/.test(String(error.message))) throw error;
    }
  }
  throw lastError;
}

// --- internal ---

function nginxConf({ dir, docRoot, port }) {
  const temp = path.join(dir, 'temp');
  return `# Written by bench/nginx.mjs for one benchmark run. No "daemon off;" here: it is given
# with -g on the command line, and nginx refuses the directive twice.
# One worker, because the registry it is compared with is one Node process (one event loop),
# and on a small machine a second worker would only compete for the cores with autocannon.
worker_processes 1;
${process.getuid?.() === 0 ? '# Run as root, the workers would default to "nobody", who cannot read the 0700 work dir.\nuser root;\n' : ''}pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;

events {
  worker_connections 1024;
}

http {
  access_log off;
  client_body_temp_path ${path.join(temp, 'client_body')};
  proxy_temp_path ${path.join(temp, 'proxy')};
  fastcgi_temp_path ${path.join(temp, 'fastcgi')};
  uwsgi_temp_path ${path.join(temp, 'uwsgi')};
  scgi_temp_path ${path.join(temp, 'scgi')};
  sendfile on;
  tcp_nopush on;
  # nginx closes a keep-alive connection after 1000 requests by default; Node's server does
  # not, so without this nginx alone would pay for reconnecting.
  keepalive_requests 100000000;
  # Every file served here is JSON (a resolve answer, a source map) or bytes; the type does
  # not change what is measured.
  types { }
  default_type application/json;

  server {
    listen 127.0.0.1:${port};
    root ${docRoot};
  }
}
`;
}

async function launch({ nginx, dir, conf, url, probePath }) {
  mkdirSync(path.join(dir, 'temp'), { recursive: true });
  // -e: the compiled-in error log (/var/log/nginx) is opened before the config is read.
  const child = spawn(nginx, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
  });
  // 'close', not 'exit': by then stderr is complete, so a failure to bind can be reported.
  const closed = once(child, 'close');
  const running = () => child.exitCode === null && child.signalCode === null;
  // If the benchmark dies without reaching its finally, nginx must not outlive it.
  const killOnExit = function killNginxOnExit() {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const handle = {
    url,
    pid: child.pid,
    /** The workers' PIDs (they do the serving), or [] where /proc does not list children. */
    workerPids() {
      try {
        return readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (!running()) return;
      // SIGTERM is nginx's fast shutdown: the master stops its workers, then exits.
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), STOP_DEADLINE_MS);
      await closed;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (!running()) {
      process.removeListener('exit', killOnExit);
      await closed;
      throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}): ${stderr.trim() || errorLogTail(dir)}`);
    }
    try {
      // Bounded: if another server took the port, it may accept and never answer.
      const response = await fetch(url + probePath, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (response.status === 200) return handle;
    } catch {}
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`nginx: no 200 on ${url}${probePath} within ${START_DEADLINE_MS} ms: ${stderr.trim() || errorLogTail(dir)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function errorLogTail(dir) {
  const file = path.join(dir, 'error.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n') : '(no error log)';
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', function listening() {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
