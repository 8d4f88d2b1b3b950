// A host following REMOTES generated remotes (r1..rN, each tagged stable) through the modmesh
// runtime. It logs its "listening" line only once every remote's module is loaded, so the time
// from spawning it to that line is its start-up with N remotes.
//   MODMESH_REGISTRY, MODMESH_TRUST (public key), MODMESH_CACHE_DIR, REMOTES
import { createMesh } from '@modmesh/runtime';

const count = Number(process.env.REMOTES ?? 1);
const names = Array.from({ length: count }, (_, index) => `r${index + 1}`);
const mesh = createMesh({
  registry: process.env.MODMESH_REGISTRY,
  remotes: Object.fromEntries(names.map((name) => [name, `${name}@stable`])),
  trust: Object.fromEntries(names.map((name) => [name, [process.env.MODMESH_TRUST]])),
  cacheDir: process.env.MODMESH_CACHE_DIR,
  name: 'scale_host',
  reportIntervalMs: 0,
  watch: false,
  log: (level, msg, fields) => level !== 'info' && process.stdout.write(`${JSON.stringify({ level, msg, ...fields })}\n`),
});
const modules = await Promise.all(names.map((name) => mesh.import(`${name}/greeter`, { deadlineMs: 30_000 })));
const sources = Object.values(mesh.status().remotes).map((remote) => remote.source);
process.stdout.write(
  `${JSON.stringify({ msg: 'listening', url: 'none', remotes: modules.length, fromCache: sources.filter((source) => source === 'cache').length })}\n`,
);
await mesh.close();
