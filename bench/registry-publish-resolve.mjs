// The registry's publish-to-visible time for the auth build, and resolve requests per second,
// against a real registry process on loopback, through the real CLI.
//   node bench/registry-publish-resolve.mjs [rounds=5]
// Needs `npm run build` and a built auth container (npm start builds one; or
// `NODE_ENV=development npm run build:remote -w @modmesh-example/auth-service`).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'packages/cli/bin/modmesh.js');
const remoteDir = path.join(root, 'examples/auth-service/dist/release/node');
const rounds = Number(process.argv[2] ?? 5);

const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-bench-registry-'));
const registry = await startRegistry(path.join(work, 'data'));
const admin = readFileSync(path.join(work, 'data', 'admin-token'), 'utf8').trim();
const run = (args, token = admin) => {
  const result = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: token },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`modmesh ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};
run(['keys', 'generate', '--out', path.join(work, 'keys'), '--name', 'auth']);
run(['trust', 'add', 'auth', path.join(work, 'keys', 'auth.pub')]);
const { token } = JSON.parse(run(['token', 'create', '--remote', 'auth', '--json']));

// Publish-to-visible: from starting `modmesh publish` (hash, sign, upload, commit) until the
// release resolves through the API.
const samples = [];
for (let round = 1; round <= rounds; round++) {
  const version = `1.0.${round}`;
  const started = performance.now();
  const publish = spawn(process.execPath, [cli, 'publish', remoteDir, '--name', 'auth', '--version', version, '--key', path.join(work, 'keys', 'auth.key')], {
    env: { ...process.env, MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: token },
    stdio: 'ignore',
  });
  for (;;) {
    const response = await fetch(`${registry.url}/v1/remotes/auth/resolve/${version}`);
    await response.arrayBuffer();
    if (response.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  samples.push(performance.now() - started);
  await new Promise((resolve) => publish.on('exit', resolve));
}
samples.sort((a, b) => a - b);
// The first round uploads every file; later rounds find the blobs stored (same build).
console.log(
  `publish-to-visible, auth build (9 files, 911 KB), ${rounds} rounds: median ${samples[Math.floor(rounds / 2)].toFixed(0)} ms, min ${samples[0].toFixed(0)} ms, max ${samples.at(-1).toFixed(0)} ms`,
);

run(['tag', 'set', 'auth', 'stable', `1.0.${rounds}`]);
for (const [label, route] of [
  ['resolve auth@stable', '/v1/remotes/auth/resolve/stable'],
  ['resolve auth@^1 with the signed release', '/v1/remotes/auth/resolve/%5E1?include=release'],
]) {
  const result = await autocannon({ url: registry.url + route, connections: 10, duration: 10 });
  console.log(
    `${label}: ${Math.round(result.requests.average)} req/s (p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.non2xx} non-2xx), 10 connections, 10 s`,
  );
}
registry.child.kill('SIGTERM');

function startRegistry(dataDir) {
  const child = spawn(process.execPath, [cli, 'registry', 'start', '--port', '0', '--data', dataDir], {
    env: { ...process.env, MODMESH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      const line = chunk.split('\n').find((text) => text.includes('"msg":"listening"'));
      if (line) resolve({ url: JSON.parse(line).url, child });
    });
    child.on('exit', (code) => reject(new Error(`registry exited (${code})`)));
  });
}
