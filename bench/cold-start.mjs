// User service start-up: from spawning the process to its first 200 on /profile, with the
// validator resolved at the registry, verified and loaded. Cold: an empty cache each time;
// warm: a cache populated by an earlier start.
//   node bench/cold-start.mjs [rounds=10]
// Needs `npm run build` and a built auth container (`npm start` builds one).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'packages/cli/bin/modmesh.js');
const rounds = Number(process.argv[2] ?? 10);
const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-bench-start-'));

const registry = await start(cli, { MODMESH_LOG_LEVEL: 'warn' }, ['registry', 'start', '--port', '0', '--data', path.join(work, 'data')]);
const admin = readFileSync(path.join(work, 'data', 'admin-token'), 'utf8').trim();
const modmesh = (args, token = admin) => {
  const result = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: token },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`modmesh ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};
modmesh(['keys', 'generate', '--out', path.join(work, 'keys'), '--name', 'auth']);
modmesh(['trust', 'add', 'auth', path.join(work, 'keys', 'auth.pub')]);
modmesh([
  'publish',
  path.join(root, 'examples/auth-service/dist/remote'),
  '--name',
  'auth',
  '--version',
  '1.0.0',
  '--tag',
  'stable',
  '--key',
  path.join(work, 'keys', 'auth.key'),
]);

const auth = await start(path.join(root, 'examples/auth-service/dist/server/main.js'), { NODE_ENV: 'development', PORT: '0' });
const { token } = await (
  await fetch(`${auth.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"alice","password":"wonderland"}' })
).json();

const results = {};
for (const mode of ['cold', 'warm']) {
  const samples = [];
  const warmCache = path.join(work, 'cache-warm');
  for (let round = 0; round < rounds + (mode === 'warm' ? 1 : 0); round++) {
    const cacheDir = mode === 'cold' ? path.join(work, `cache-${round}`) : warmCache;
    const started = performance.now();
    const user = await start(path.join(root, 'examples/user-service/dist/main.js'), {
      PORT: '0',
      MODMESH_REGISTRY: registry.url,
      MODMESH_TRUST_AUTH: readFileSync(path.join(work, 'keys', 'auth.pub'), 'utf8').trim(),
      MODMESH_CACHE_DIR: cacheDir,
    });
    for (;;) {
      const response = await fetch(`${user.url}/profile`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      if (response.status === 200) break;
      if (performance.now() - started > 30_000) throw new Error(`no 200 within 30 s (last ${response.status})`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // The first warm round only fills the cache.
    if (!(mode === 'warm' && round === 0)) samples.push(performance.now() - started);
    await user.stop();
  }
  samples.sort((a, b) => a - b);
  results[mode] = samples;
}
await auth.stop();
await registry.stop();

console.log(`user service, process start to first 200 on /profile, ${rounds} fresh processes each (Node ${process.version}):`);
for (const [mode, samples] of Object.entries(results)) {
  console.log(
    `  ${mode} cache: median ${samples[Math.floor(samples.length / 2)].toFixed(0)} ms, min ${samples[0].toFixed(0)} ms, max ${samples.at(-1).toFixed(0)} ms`,
  );
}

function start(script, env, args = []) {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        if (!line.includes('"msg":"listening"')) continue;
        const stop = () => {
          child.kill('SIGTERM');
          return once(child, 'exit');
        };
        resolve({ url: JSON.parse(line).url, stop });
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
}
