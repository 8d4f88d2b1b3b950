// Cold start of the user service: from spawning the process to its first 200 on /profile,
// with the auth service up and the validator loaded over HTTP. Run after `npm start` has built
// the example once (it uses the dev key in examples/auth-service/.env):
//   node bench/cold-start.mjs [rounds=10]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 10);

const auth = await start('examples/auth-service/dist/server/main.js', { NODE_ENV: 'development', PORT: '0' });
const { token } = await (
  await fetch(`${auth.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"alice","password":"wonderland"}' })
).json();

const samples = [];
for (let round = 0; round < rounds; round++) {
  const started = performance.now();
  const user = await start('examples/user-service/dist/main.js', { PORT: '0', AUTH_REMOTE_URL: `${auth.url}/remoteEntry.js` });
  for (;;) {
    const response = await fetch(`${user.url}/profile`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.status === 200) break;
    if (performance.now() - started > 30_000) throw new Error(`no 200 within 30 s (last ${response.status})`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  samples.push(performance.now() - started);
  await user.stop();
}
await auth.stop();

samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(`user-service cold start to first 200 on /profile, ${rounds} fresh processes (Node ${process.version}):`);
console.log(`  median ${median.toFixed(0)} ms, min ${samples[0].toFixed(0)} ms, max ${samples.at(-1).toFixed(0)} ms`);

function start(script, env) {
  const child = spawn(process.execPath, [path.join(root, script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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
