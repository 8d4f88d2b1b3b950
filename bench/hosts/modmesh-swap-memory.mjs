// Heap and RSS of a modmesh host after 1, 50 and 200 live swaps of the real auth build, in a
// process of its own (run by bench/scenarios/05-memory.mjs; or by hand for the table):
//   node --expose-gc bench/hosts/modmesh-swap-memory.mjs [swaps=200] [--json]
// Needs `npm run build`; builds the auth container into a temp dir itself.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { containersFromMfManifest, generatePublisherKeyPair, signRelease } from '@modmesh/manifest';
import { createFileBlobStore, createRegistryApp, createSqliteMetadataStore } from '@modmesh/registry';
import { createMesh } from '@modmesh/runtime';

if (!global.gc) throw new Error('run with node --expose-gc');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'examples/user-service/package.json'));
const swaps = Number(process.argv[2] ?? 200);
const asJson = process.argv.includes('--json');
const checkpoints = new Set([1, 50, 200, swaps]);

const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-bench-'));
const remoteDir = path.join(work, 'release/node');
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
execFileSync(process.execPath, ['packages/cli/bin/modmesh.js', 'build', 'examples/auth-service', '--target', 'node', '--out', path.join(work, 'release')], {
  cwd: root,
  env: { ...process.env, AUTH_PRIVATE_KEY: pem, AUTH_ENV_FILE: path.join(work, 'none.env'), NODE_ENV: 'production' },
  stdio: 'ignore',
});
const files = new Map(
  readdirSync(remoteDir)
    .filter((file) => statSync(path.join(remoteDir, file)).isFile())
    .map((file) => [file, readFileSync(path.join(remoteDir, file))]),
);
const containers = [containersFromMfManifest(JSON.parse(files.get('mf-manifest.json').toString()), 'node')];

const admin = 'bench-admin-token-0123456789';
const metadata = createSqliteMetadataStore(path.join(work, 'registry.db'));
const { app } = await createRegistryApp({ metadata, blobs: await createFileBlobStore(path.join(work, 'blobs')), adminToken: admin });
await app.listen({ port: 0, host: '127.0.0.1' });
const registry = `http://127.0.0.1:${app.server.address().port}`;
const publisher = generatePublisherKeyPair();
const call = async (method, route, body, type = 'application/json') => {
  const response = await fetch(registry + route, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': type }, body });
  if (!response.ok) throw new Error(`${method} ${route}: ${await response.text()}`);
  return response.json();
};
await call('POST', '/v1/remotes/auth/keys', JSON.stringify({ publicKey: publisher.publicKey }));
const { createHash } = await import('node:crypto');
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
for (const bytes of files.values()) await call('PUT', `/v1/remotes/auth/blobs/${sha(bytes)}`, bytes, 'application/octet-stream');
const fileList = [...files].map(([file, bytes]) => ({ path: file, size: bytes.length, sha256: sha(bytes) })).sort((a, b) => (a.path < b.path ? -1 : 1));
let current = null;
async function release(version) {
  const manifest = {
    schema: 'modmesh.release/v1',
    name: 'auth',
    version,
    files: fileList,
    containers,
    build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: new Date().toISOString() },
  };
  await call('POST', '/v1/remotes/auth/releases', JSON.stringify(signRelease(manifest, publisher.privateKeyPem)));
  await call('PUT', '/v1/remotes/auth/tags/stable', JSON.stringify({ version, expect: current }));
  current = version;
}

await release('1.0.0');
const jwt = require('jsonwebtoken');
const mesh = createMesh({
  registry,
  remotes: { auth: 'auth@stable' },
  trust: { auth: [publisher.publicKey] },
  cacheDir: path.join(work, 'cache'),
  name: 'bench_host',
  shared: { jsonwebtoken: { version: require('jsonwebtoken/package.json').version, lib: () => jwt, requiredVersion: '^9.0.0' } },
  reportIntervalMs: 0,
  log: () => {},
});
const validator = mesh.live('auth/tokenValidator');
(await validator.get(10_000)).validateJwtToken('warm.up.token');

const rows = [];
const measure = (label) => {
  global.gc();
  global.gc();
  const { heapUsed, rss } = process.memoryUsage();
  rows.push({ label, heapMB: heapUsed / 1048576, rssMB: rss / 1048576 });
};
measure('first load');
const started = performance.now();
for (let swap = 1; swap <= swaps; swap++) {
  const version = `1.0.${swap}`;
  await release(version);
  const deadline = Date.now() + 10_000;
  while (validator.version() !== version) {
    if (Date.now() > deadline) throw new Error(`swap ${swap} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  (await validator.get()).validateJwtToken('a.b.c');
  if (checkpoints.has(swap)) measure(`after ${swap} swaps`);
}
const elapsed = performance.now() - started;
await mesh.close();
await app.close();

if (asJson) {
  process.stdout.write(`${JSON.stringify({ msg: 'result', rows, msPerSwap: elapsed / swaps })}\n`);
  process.exit(0);
}
const base = rows[0].heapMB;
console.log(`| point | heap (MB, after GC) | heap / first load | RSS (MB) |\n|---|---|---|---|`);
for (const row of rows) console.log(`| ${row.label} | ${row.heapMB.toFixed(1)} | ${(row.heapMB / base).toFixed(2)}x | ${row.rssMB.toFixed(0)} |`);
console.log(
  `\n${swaps} swaps (publish + tag move + swap observed) in ${(elapsed / 1000).toFixed(1)} s, ${(elapsed / swaps).toFixed(0)} ms each; Node ${process.version}`,
);
