import { createReadStream, existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { ShellConfig } from './config.js';

/**
 * The web shell's server: the page, its configuration (which remotes, the root of trust or the
 * keys the page trusts, a read token), and a small gateway so the page's UI modules reach the
 * auth and user services on the page's own origin. The modules themselves come from the
 * registry, never from here.
 */
export function createShellServer(config: ShellConfig, log: (level: string, msg: string, fields?: object) => void): http.Server {
  const registryOrigin = new URL(config.registry).origin;
  const security = {
    'content-security-policy': [
      "default-src 'self'",
      // Code runs from this origin and from the registry only, and the registry's scripts only
      // with the integrity the signed manifest gives them (the runtime sets it).
      `script-src 'self' ${registryOrigin}`,
      `connect-src 'self' ${registryOrigin}`,
      // UI modules style themselves with React style props, set through the CSSOM, which
      // style-src does not restrict: no 'unsafe-inline' is needed.
      "style-src 'self'",
      "img-src 'self' data:",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const pageConfig = JSON.stringify({
    registry: config.registry,
    remotes: config.remotes,
    ...(config.root === undefined ? { trust: config.trust } : { root: config.root }),
    ...(config.token && { token: config.token }),
  });
  // The configuration travels in the page itself, as a JSON data block (not a script, so the CSP
  // has nothing to allow): one round trip less before the first module can be resolved. `<` is
  // escaped so no value can close the block.
  const assets = assetsOf(config.appDir);
  const page = PAGE.replace('<!-- config -->', `<script type="application/json" id="modmesh-config">${pageConfig.replace(/</g, '\\u003c')}</script>`);

  return http.createServer(function shell(req, res) {
    const url = new URL(req.url ?? '/', 'http://shell');
    const gateway = GATEWAY.find((route) => url.pathname.startsWith(route.prefix));
    if (gateway)
      return forward(req, res, config.upstreams[gateway.upstream], url.pathname.slice(gateway.prefix.length - 1) + url.search, gateway.service, config, log);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: { code: 'SHELL_METHOD_NOT_ALLOWED', message: `${req.method} is not served here` } });
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { ...security, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      return res.end(page);
    }
    if (url.pathname === '/config.json') {
      res.writeHead(200, { ...security, 'content-type': 'application/json', 'cache-control': 'no-cache' });
      return res.end(pageConfig);
    }
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    const asset = assets.get(url.pathname);
    const file = asset && path.join(config.appDir, asset.file);
    if (!asset || !file || !existsSync(file)) return sendJson(res, 404, { error: { code: 'SHELL_NOT_FOUND', message: `nothing at ${url.pathname}` } });
    res.writeHead(200, { ...security, 'content-type': asset.type, 'cache-control': 'no-cache' });
    createReadStream(file).pipe(res);
  });
}

// --- internal ---

const GATEWAY = [
  { prefix: '/api/auth/', upstream: 'auth', service: 'auth service' },
  { prefix: '/api/user/', upstream: 'user', service: 'user service' },
] as const;

// Only these files are served: the build's output (the page's script, its stylesheet, and the
// chunks it loads when it needs them, such as the TUF verifier of a page with a root), nothing
// else from the disk.
const ASSET_TYPES = new Map([
  ['.js', 'text/javascript; charset=utf-8'],
  ['.map', 'application/json'],
  ['.css', 'text/css; charset=utf-8'],
]);

function assetsOf(appDir: string): Map<string, { file: string; type: string }> {
  const files = existsSync(appDir) ? readdirSync(appDir, { withFileTypes: true }).filter((entry) => entry.isFile()) : [];
  return new Map(
    files.flatMap(({ name }) => {
      const type = ASSET_TYPES.get(path.extname(name));
      return type ? [[`/${name}`, { file: name, type }] as const] : [];
    }),
  );
}

// Request bodies bigger than this are refused: the page's APIs take small JSON.
const MAX_REQUEST_BYTES = 64 * 1024;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>modmesh · web shell</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/app.css" />
    <!-- config -->
    <script src="/app.js" defer></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;

function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  upstream: string,
  pathAndQuery: string,
  service: string,
  config: ShellConfig,
  log: (level: string, msg: string, fields?: object) => void,
): void {
  const target = new URL(pathAndQuery, upstream);
  const headers = { ...req.headers, host: target.host };
  delete headers.cookie;
  const outgoing = http.request(target, { method: req.method, headers, timeout: config.upstreamDeadlineMs }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, {
      'content-type': answer.headers['content-type'] ?? 'application/json',
      'cache-control': 'no-store',
      ...(answer.headers['retry-after'] && { 'retry-after': answer.headers['retry-after'] }),
    });
    answer.pipe(res);
  });
  // Whatever goes wrong first is the one answer the page gets.
  let answered = false;
  const fail = (status: number, code: string, message: string): void => {
    if (answered) return;
    answered = true;
    log('warn', message, { code, upstream: target.origin });
    if (!res.headersSent) sendJson(res, status, { error: { code, message } });
    else res.destroy();
  };
  outgoing.on('timeout', () => {
    fail(504, 'SHELL_UPSTREAM_TIMEOUT', `The ${service} did not answer within ${config.upstreamDeadlineMs} ms.`);
    outgoing.destroy();
  });
  outgoing.on('error', () => fail(502, 'SHELL_UPSTREAM_UNAVAILABLE', `The ${service} is not answering.`));
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_REQUEST_BYTES) {
      fail(413, 'SHELL_BODY_TOO_LARGE', 'The request body is too large.');
      outgoing.destroy();
    }
  });
  req.pipe(outgoing);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
