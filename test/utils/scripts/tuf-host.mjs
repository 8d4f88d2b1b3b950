// A Node host configured with a root of trust, as a service would run one: `createMesh({ root })`
// following the remotes given, with an HTTP endpoint answering from each remote's federated
// module, so that a test sees which release's code answers, not what the host says it runs.
// Run as its own process (see ../src/tuf-host.ts), configured by the environment:
//   MODMESH_REGISTRY  the registry (or a proxy in front of it)
//   MODMESH_ROOT      the root.json it trusts
//   TUF_HOST_REMOTES  JSON: { "auth": "auth@stable" }
//   MODMESH_CACHE_DIR where it keeps verified releases and metadata
//   TUF_HOST_RECHECK_MS how often it runs an update cycle without events
// Endpoints: GET /answer/ALIAS (what ALIAS/version's module exports), /status, /metrics.
import http from 'node:http';
import { createMesh, jsonLogger } from '@modmesh/runtime';

const env = process.env;
const remotes = JSON.parse(env.TUF_HOST_REMOTES ?? '{}');
const log = jsonLogger('tuf-host');
const mesh = createMesh({
  registry: env.MODMESH_REGISTRY,
  root: env.MODMESH_ROOT,
  remotes,
  cacheDir: env.MODMESH_CACHE_DIR,
  recheckIntervalMs: Number(env.TUF_HOST_RECHECK_MS ?? 500),
  reportIntervalMs: 0,
  log,
});

const server = http.createServer(async function handle(req, res) {
  const send = (status, body, type = 'application/json') =>
    res.writeHead(status, { 'content-type': type }).end(type === 'application/json' ? JSON.stringify(body) : body);
  const alias = /^\/answer\/([\w.-]+)$/.exec(req.url ?? '')?.[1];
  if (alias !== undefined) {
    try {
      const module = await mesh.live(`${alias}/version`).get(1000);
      return send(200, { version: module.version, remote: module.remote });
    } catch (error) {
      return send(503, { error: { code: error.code ?? 'UNCODED', message: error.message, cause: error.cause?.code } });
    }
  }
  if (req.url === '/status') return send(200, mesh.status());
  if (req.url === '/metrics') return send(200, mesh.metrics(), 'text/plain; version=0.0.4');
  send(404, { error: { code: 'NOT_FOUND' } });
});

server.listen(0, '127.0.0.1', () => log('info', 'listening', { url: `http://127.0.0.1:${server.address().port}` }));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    server.close();
    await mesh.close();
    process.exit(0);
  });
}
