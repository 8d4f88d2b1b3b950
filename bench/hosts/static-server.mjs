// A plain static file server for one directory: what stock Module Federation loads a remote
// from. No caching headers, no compression, no checks on what it serves, as a CDN bucket or an
// nginx `root` would serve a build (it only refuses paths outside its directory).
//   node bench/hosts/static-server.mjs DIR      (or STATIC_DIR=DIR)
//   PORT (default 0: an ephemeral port), HOST (default 127.0.0.1)
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES = {
  // The stock page of scenario 09 (bench/hosts/stock-web) is served from here too.
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

const directory = path.resolve(process.argv[2] ?? process.env.STATIC_DIR ?? '.');
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 0);

const server = createServer(function serveFile(req, res) {
  void respond(req, res).catch(function failed(error) {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`${error.message}\n`);
  });
});
server.listen(port, host, function listening() {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://${host}:${address.port}`, directory })}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, function stop() {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

// --- internal ---

async function respond(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
  const file = resolveInside(new URL(req.url, 'http://localhost').pathname);
  const info = file && (await stat(file).catch(() => undefined));
  if (!info?.isFile()) return sendText(res, 404, 'Not found');
  res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? DEFAULT_CONTENT_TYPE, 'content-length': info.size });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

// A request path outside the served directory (`/../x`, an encoded `..`) is refused, not served.
function resolveInside(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const file = path.resolve(directory, `.${path.posix.normalize(decoded)}`);
  return file.startsWith(directory + path.sep) ? file : undefined;
}

function sendText(res, status, message) {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(`${message}\n`);
}
