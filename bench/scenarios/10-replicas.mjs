// The registry beyond one machine: PostgreSQL storage and replicas.
//   fan-out   a tag move to the last of 1,000 event-stream subscribers notified: one SQLite
//             registry; one replica on PostgreSQL; three replicas on PostgreSQL with the
//             subscribers spread over them (the move goes through one; LISTEN/NOTIFY wakes the
//             others, which read the event from the database).
//   publish   publish-to-visible for the auth build (fresh bytes every round, so every file is
//             uploaded): from starting `modmesh publish` until the release resolves, PostgreSQL
//             against SQLite.
// Needs PostgreSQL: MODMESH_TEST_POSTGRES_URL, as the tests (.ci/postgres.sh starts one);
// without it only SQLite is measured, with a note.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { appendFileSync, cpSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { authKey, buildAuth, cliScript, modmesh, startProcess, workDir } from '../lib.mjs';

export const title = 'Registry replicas';

const POSTGRES_URL_VARIABLE = 'MODMESH_TEST_POSTGRES_URL';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const PLAN = {
  full: { subscribers: 1000, moveRounds: 15, publishRounds: 7 },
  quick: { subscribers: 100, moveRounds: 2, publishRounds: 1 },
};
const REPLICAS = 3;
const DELIVERY_DEADLINE_MS = 30_000;
const RECONNECT_MS = 50;

export async function run({ quick, log }) {
  const plan = quick ? PLAN.quick : PLAN.full;
  const dir = workDir('replicas');
  const outDir = path.join(dir, 'auth');
  buildAuth({ outDir, privateKeyPem: authKey() });
  const notes = [
    `${plan.subscribers} subscribers in the benchmark's process (one connection each); the move is a PUT of the tag through replica 1; time to the event's arrival at the last subscriber`,
  ];

  const systems = { sqlite: await startSystem(dir, 'sqlite', { count: 1 }) };
  const postgresUrl = process.env[POSTGRES_URL_VARIABLE];
  let database;
  if (postgresUrl) {
    database = await createDatabase(postgresUrl);
    modmesh(['registry', 'migrate', '--storage', database.url]);
    systems.postgres = await startSystem(dir, 'postgres', { count: REPLICAS, storage: database.url });
  } else {
    log(`${POSTGRES_URL_VARIABLE} not set: PostgreSQL not measured`);
    notes.push(`PostgreSQL not measured: set ${POSTGRES_URL_VARIABLE} (bash .ci/postgres.sh starts one)`);
  }
  try {
    for (const system of Object.values(systems)) {
      system.publish(outDir, '1.0.0', 'stable');
      system.publish(freshBuild(outDir, dir, `${system.name}-1.1.0`), '1.1.0');
    }
    const fanoutVariants = {
      'sqlite, 1 registry': { system: systems.sqlite, replicas: 1 },
      ...(systems.postgres && {
        'postgres, 1 replica': { system: systems.postgres, replicas: 1 },
        'postgres, 3 replicas': { system: systems.postgres, replicas: REPLICAS },
      }),
    };
    const fanout = Object.fromEntries(Object.keys(fanoutVariants).map((name) => [name, []]));
    for (let round = 0; round < plan.moveRounds; round++) {
      for (const [name, variant] of Object.entries(fanoutVariants)) {
        const ms = await measureFanout(variant.system, variant.replicas, plan.subscribers);
        fanout[name].push(ms);
        log(`fan-out ${name}, round ${round + 1}: ${ms.toFixed(1)} ms`);
      }
    }

    const publish = Object.fromEntries(Object.keys(systems).map((name) => [name, []]));
    for (let round = 0; round < plan.publishRounds; round++) {
      for (const [name, system] of Object.entries(systems)) {
        const version = `2.0.${round}`;
        const ms = await measurePublish(system, freshBuild(outDir, dir, `${name}-${version}`), version);
        publish[name].push(ms);
        log(`publish-to-visible ${name}, round ${round + 1}: ${ms.toFixed(0)} ms`);
      }
    }
    return {
      metrics: [
        {
          name: `tag move to the last of ${plan.subscribers} subscribers notified`,
          unit: 'ms',
          variants: fanout,
          ...(systems.postgres && { ratio: ['postgres, 3 replicas', 'postgres, 1 replica'] }),
        },
        { name: 'publish-to-visible, auth build, every file new', unit: 'ms', variants: publish, ...(systems.postgres && { ratio: ['postgres', 'sqlite'] }) },
      ],
      notes,
    };
  } finally {
    await Promise.all(Object.values(systems).map((system) => system.stop()));
    await database?.drop();
  }
}

// --- internal ---

async function startSystem(dir, name, { count, storage }) {
  const dataDir = path.join(dir, `${name}-data`);
  const env = { MODMESH_ADMIN_TOKEN: ADMIN_TOKEN, MODMESH_LOG_LEVEL: 'warn', ...(storage && { MODMESH_STORAGE: storage }) };
  const replicas = [];
  for (let index = 0; index < count; index++) {
    replicas.push(await startProcess(cliScript, { args: ['registry', 'start', '--port', '0', '--data', dataDir, '--no-rate-limit'], env }));
  }
  const cliEnv = { MODMESH_REGISTRY: replicas[0].url, MODMESH_TOKEN: ADMIN_TOKEN };
  const keys = path.join(dir, `${name}-keys`);
  modmesh(['keys', 'generate', '--out', keys, '--name', 'auth'], cliEnv);
  modmesh(['trust', 'add', 'auth', path.join(keys, 'auth.pub')], cliEnv);
  let stable = '1.0.0';
  return {
    name,
    urls: replicas.map((replica) => replica.url),
    publishArgs: (remoteDir, version) => ['publish', remoteDir, '--name', 'auth', '--version', version, '--key', path.join(keys, 'auth.key')],
    cliEnv,
    publish(remoteDir, version, tag) {
      modmesh([...this.publishArgs(remoteDir, version), ...(tag ? ['--tag', tag] : [])], cliEnv);
    },
    async moveTag() {
      const to = stable === '1.0.0' ? '1.1.0' : '1.0.0';
      const response = await fetch(`${replicas[0].url}/v1/remotes/auth/tags/stable`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: to, expect: stable }),
      });
      if (response.status !== 200) throw new Error(`move: HTTP ${response.status} ${await response.text()}`);
      stable = to;
    },
    stop: () => Promise.all(replicas.map((replica) => replica.stop())),
  };
}

/** Opens `count` subscribers spread over the first `replicas` replicas, moves the tag, and times the last arrival. */
async function measureFanout(system, replicas, count) {
  const subscribers = Array.from({ length: count }, (_, k) => subscribe(system.urls[k % replicas]));
  try {
    await Promise.all(subscribers.map((subscriber) => subscriber.ready));
    // Waiting before the move: an event can arrive before the move's own answer does.
    const arrivals = Promise.all(subscribers.map((subscriber) => subscriber.nextEvent(DELIVERY_DEADLINE_MS)));
    const started = performance.now();
    await system.moveTag();
    return Math.max(...(await arrivals)) - started;
  } finally {
    for (const subscriber of subscribers) subscriber.close();
  }
}

async function measurePublish(system, remoteDir, version) {
  const started = performance.now();
  const child = spawn(process.execPath, [cliScript, ...system.publishArgs(remoteDir, version)], { env: { ...process.env, ...system.cliEnv }, stdio: 'ignore' });
  const exited = once(child, 'exit');
  for (;;) {
    const response = await fetch(`${system.urls[0]}/v1/remotes/auth/resolve/${version}`);
    await response.arrayBuffer();
    if (response.status === 200) break;
    if (child.exitCode !== null && child.exitCode !== 0) throw new Error(`publish ${version} exited ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const ms = performance.now() - started;
  await exited;
  return ms;
}

/** One SSE subscriber from now on (`lastEventId=latest`); `nextEvent` resolves with the arrival time of its next event. */
function subscribe(url) {
  let onEvent;
  let request;
  let closed = false;
  const ready = new Promise((resolve, reject) => {
    const connect = () => {
      request = http.get(`${url}/v1/events?lastEventId=latest`, { agent: false }, (response) => {
        response.setEncoding('utf8');
        let buffered = '';
        response.on('data', (chunk) => {
          buffered += chunk;
          if (buffered.includes('retry:')) resolve();
          if (/^id: /m.test(buffered)) {
            buffered = '';
            onEvent?.(performance.now());
          }
        });
      });
      request.on('error', (error) => (closed ? undefined : error.code === 'ECONNRESET' ? setTimeout(connect, RECONNECT_MS) : reject(error)));
    };
    connect();
  });
  return {
    ready,
    nextEvent: (deadlineMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${url}: no event within ${deadlineMs} ms`)), deadlineMs);
        onEvent = (at) => {
          clearTimeout(timer);
          onEvent = undefined;
          resolve(at);
        };
      }),
    close() {
      closed = true;
      request?.destroy();
    },
  };
}

function freshBuild(source, dir, name) {
  const target = path.join(dir, 'builds', name);
  cpSync(source, target, { recursive: true });
  for (const file of readdirSync(target)) if (file.endsWith('.js')) appendFileSync(path.join(target, file), `\n/* ${name} */\n`);
  return target;
}

async function createDatabase(base) {
  const name = `modmesh_bench_${randomBytes(6).toString('hex')}`;
  await admin(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function admin(url, statement) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
