// A host following auth@stable through the modmesh runtime, trusting either a root of trust
// (MODMESH_ROOT, a root.json path: the release comes from the registry's signed TUF metadata) or
// the auth publisher's key (MODMESH_TRUST_AUTH: the registry's resolve answer, its signature
// checked). It logs "listening" once auth/tokenValidator is loaded, then follows the tag and logs
// every line of the runtime (swaps included) with a millisecond timestamp, until SIGTERM.
//   MODMESH_REGISTRY, MODMESH_ROOT or MODMESH_TRUST_AUTH, MODMESH_CACHE_DIR
import { createRequire } from 'node:module';
import { createMesh } from '@modmesh/runtime';

const require = createRequire(import.meta.url);
const mesh = createMesh({
  registry: process.env.MODMESH_REGISTRY,
  remotes: { auth: 'auth@stable' },
  ...(process.env.MODMESH_ROOT ? { root: process.env.MODMESH_ROOT } : { trust: { auth: [process.env.MODMESH_TRUST_AUTH] } }),
  cacheDir: process.env.MODMESH_CACHE_DIR,
  name: 'trust_host',
  reportIntervalMs: 0,
  shared: {
    jsonwebtoken: { version: require('jsonwebtoken/package.json').version, lib: () => require('jsonwebtoken'), requiredVersion: '^9.0.0' },
  },
  log: (level, msg, fields) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`),
});
await mesh.import('auth/tokenValidator', { deadlineMs: 30_000 });
process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: 'listening', url: 'none', version: mesh.status().remotes.auth?.version })}\n`);
process.on('SIGTERM', () => {
  void mesh.close().finally(() => process.exit(0));
});
