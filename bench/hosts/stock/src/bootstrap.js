// The seeds' User Service as stock Module Federation runs it: an Express host that loads the
// auth service's `./tokenValidator` over HTTP from wherever AUTH_REMOTE_URL points, with the
// runtime's own loader (fetch, then evaluate; no signature, no hash, no deadline). Routes and
// answers are those of examples/user-service/src/app.ts, so only the loading differs.
//   AUTH_REMOTE_URL  the remote's remoteEntry.js (required)
//   PORT (default 3000; 0 = ephemeral), HOST (default 127.0.0.1)
//   AUTH_RELOAD_INTERVAL_MS  opt-in, for the benchmarks: poll the remote for a new build this
//     often and swap to it (unset: the remote is loaded once, as before)
//   AUTH_RELOAD_MODE  how a new build is picked up, with AUTH_RELOAD_INTERVAL_MS:
//     force (default)  remoteEntry.js changed -> registerRemotes({ force: true }) + loadRemote()
//     revalidate       revalidate() from @module-federation/node/utils, then loadRemote()
import { createHash } from 'node:crypto';
import { loadRemote, registerRemotes } from '@module-federation/enhanced/runtime';
import express from 'express';
// Imported so that this host provides the shared singleton, as the modmesh host does: a host
// that does not import a package leaves the remote to load its own copy (MF-NODE-FACTS.md).
import 'jsonwebtoken';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const remoteEntryUrl = process.env.AUTH_REMOTE_URL;

if (!remoteEntryUrl) {
  log('error', 'AUTH_REMOTE_URL is not set', { hint: 'Point it at the auth remote: http://HOST:PORT/remoteEntry.js' });
  process.exit(1);
}

registerRemotes([{ name: 'auth', entry: remoteEntryUrl }]);
const validator = createValidatorLoader();
// Loaded at start, as the modmesh host does, so that the first request does not pay for it.
validator.get().catch((error) => log('warn', 'auth/tokenValidator not loaded yet', { error: error.message }));
const reloadIntervalMs = Number(process.env.AUTH_RELOAD_INTERVAL_MS ?? 0);
if (reloadIntervalMs > 0) startReloadLoop(reloadIntervalMs, process.env.AUTH_RELOAD_MODE ?? 'force');

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '16kb' }));

app.get('/health', function health(_req, res) {
  res.json({ status: 'ok', validator: { loaded: validator.loaded() } });
});

app.use(async function authenticate(req, res, next) {
  const header = req.headers.authorization;
  if (!header) return sendError(res, 401, 'AUTH_HEADER_MISSING', 'No authorization header');
  const [scheme, token] = header.split(' ');
  if (!token || scheme?.toLowerCase() !== 'bearer') {
    return sendError(res, 401, 'AUTH_TOKEN_MISSING', 'Token not provided: send "Authorization: Bearer <token>"');
  }

  let module;
  try {
    module = await validator.get();
  } catch (error) {
    res.setHeader('retry-after', '5');
    return sendError(res, 503, 'REMOTE_UNAVAILABLE', `auth/tokenValidator: ${error.message}`);
  }

  const result = await module.validateJwtToken(token);
  if (!result.isValid) return sendError(res, 403, 'AUTH_TOKEN_INVALID', `Invalid token: ${result.error}`);
  res.locals.user = result.user;
  next();
});

app.get('/profile', function profile(_req, res) {
  const { user } = res.locals;
  res.json({ message: `Welcome ${user.username}! This is your profile.`, user });
});

app.use(function notFound(_req, res) {
  sendError(res, 404, 'NOT_FOUND', 'No such route');
});
app.use(function internalError(error, _req, res, _next) {
  const status = error.status;
  if (status && status >= 400 && status < 500) return sendError(res, status, 'BAD_REQUEST', error.message);
  sendError(res, 500, 'INTERNAL', 'Internal error');
});

const server = app.listen(port, host, function listening() {
  log('info', 'listening', { url: `http://${host}:${server.address().port}` });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, function stop() {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

// --- internal ---

// One loaded module reused by every request, as a stock host would keep it. A failed load is
// forgotten, so the next request tries again: `loadRemote` recovers where a bare import() of a
// remote keeps its first failure (MF-NODE-FACTS.md).
function createValidatorLoader() {
  let pending;
  let loaded = false;
  async function load() {
    const module = await loadRemote('auth/tokenValidator');
    if (typeof module?.validateJwtToken !== 'function') throw new Error('the remote exports no validateJwtToken function');
    loaded = true;
    return module;
  }
  return {
    get() {
      if (!pending) {
        pending = load();
        pending.catch(function forget() {
          pending = undefined;
        });
      }
      return pending;
    },
    // Loads again and only then replaces the module requests get: until the new release is
    // loaded, requests keep the old one; a failed reload leaves it in place.
    async reload() {
      const module = await load();
      pending = Promise.resolve(module);
      return module;
    },
    loaded: () => loaded,
  };
}

// The benchmarks' reload loop (AUTH_RELOAD_INTERVAL_MS). Stock Module Federation has no push:
// a host learns of a new build only by polling for it. Logs "watching" with the build it runs
// once it polls, and "swapped" with the new build the moment requests get the new module; a
// build is named by the first 12 hex digits of its remoteEntry.js' SHA-256.
function startReloadLoop(intervalMs, mode) {
  if (mode !== 'force' && mode !== 'revalidate') {
    log('error', `AUTH_RELOAD_MODE must be force or revalidate, not "${mode}"`);
    process.exit(1);
  }
  const swapTo = mode === 'force' ? swapByForce : swapByRevalidate;
  let running;
  let revalidate;
  setTimeout(async function poll() {
    try {
      if (running === undefined) {
        await validator.get();
        if (mode === 'revalidate') ({ revalidate } = await import('@module-federation/node/utils'));
        running = await entryHash();
        // revalidate() records the hash it compares with on its first call.
        if (revalidate) await revalidate();
        log('info', 'watching', { build: running, mode, intervalMs });
      } else {
        await swapTo();
      }
    } catch (error) {
      log('warn', 'reload failed', { error: error.message });
    }
    setTimeout(poll, intervalMs);
  }, intervalMs);

  // What MF-NODE-FACTS.md found to swap: re-register the remote, overriding the old
  // registration, and load the exposed module again.
  async function swapByForce() {
    // CPU of the poll that finds the new build and of loading it (what a modmesh host's swap log
    // says for its update), from process.cpuUsage().
    const cpuAtStart = cpuTime();
    const build = await entryHash();
    if (build === running) return;
    const startedAt = performance.now();
    registerRemotes([{ name: 'auth', entry: remoteEntryUrl }], { force: true });
    await validator.reload();
    log('info', 'swapped', { from: running, to: build, mode, loadMs: performance.now() - startedAt, cpuMs: (cpuTime() - cpuAtStart) / 1000 });
    running = build;
  }

  // @module-federation/node's own reload path: revalidate() hashes every known remote entry and,
  // on a change, clears the federation caches; then the module is loaded again.
  async function swapByRevalidate() {
    const old = await validator.get();
    if (!(await revalidate())) return;
    const build = await entryHash();
    log('info', 'revalidate reported a change', { from: running, build });
    const startedAt = performance.now();
    const module = await validator.reload();
    if (module === old) {
      log('warn', 'revalidate: loadRemote returned the old module', { build: running });
      return;
    }
    log('info', 'swapped', { from: running, to: build, mode, loadMs: performance.now() - startedAt });
    running = build;
  }
}

function cpuTime() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function entryHash() {
  const response = await fetch(remoteEntryUrl);
  const body = await response.arrayBuffer();
  if (!response.ok) throw new Error(`${remoteEntryUrl}: HTTP ${response.status}`);
  return createHash('sha256').update(new Uint8Array(body)).digest('hex').slice(0, 12);
}

function sendError(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

function log(level, msg, fields) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, service: 'user-service-stock', msg, ...fields })}\n`);
}
