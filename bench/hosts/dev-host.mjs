// A Node host for scenario 12: follows greeter@dev through the modmesh runtime (trusting the dev
// key `modmesh dev` made) and logs a JSON line with a millisecond timestamp at each swap, and a
// "listening" line once the first release runs (bench/lib.mjs waits for it).
//   MODMESH_REGISTRY, DEV_KEY_FILE, MODMESH_CACHE_DIR
import { readFileSync } from 'node:fs';
import { createMesh } from '@modmesh/runtime';

const mesh = createMesh({
  registry: process.env.MODMESH_REGISTRY,
  remotes: { greeter: 'greeter@dev' },
  trust: { greeter: [readFileSync(process.env.DEV_KEY_FILE, 'utf8').trim()] },
  cacheDir: process.env.MODMESH_CACHE_DIR,
  log(level, msg, fields) {
    // The runtime logs the swap once the new release serves every import.
    if (msg.includes(' swapped ')) console.log(JSON.stringify({ msg: 'swapped', to: fields?.to, at: Date.now() }));
    else if (level === 'error') console.error(JSON.stringify({ level, msg, ...fields }));
  },
});
const { greet } = await mesh.import('greeter/greeting', { deadlineMs: 60_000 });
console.log(JSON.stringify({ msg: 'listening', url: 'none', running: mesh.status().remotes.greeter?.version, text: greet('ada') }));
process.on('SIGTERM', () => mesh.close().then(() => process.exit(0)));
