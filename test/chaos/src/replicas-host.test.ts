// The seeds' host, the user service, following auth@stable through a round-robin load balancer
// over three registry replicas on one PostgreSQL database, under steady load on GET /profile,
// while the replicas are SIGKILLed and restarted one after another. Each time a new release is
// published and stable moved to it through the balancer: the host must pick it up, and no
// request to /profile may fail.
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  authEnv,
  type Balancer,
  pollUntil,
  postgresUnavailable,
  requestJson,
  requireCompiled,
  runScript,
  type ServiceProcess,
  startBalancer,
  startLoad,
  startService,
} from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { byLevel } from './record.js';
import { REPLICA_ADMIN_TOKEN, type ReplicaSet, startReplicaSet } from './replicas.js';
import { createTally } from './tally.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the registry replica tests: ${unavailable}`);

const REPLICAS = 3;
// Each kill takes down the next replica, so the host's event stream is cut at least once a round.
const KILLS = byLevel(3, 12);
const RATE = 100;
const PICKUP_DEADLINE_MS = 30_000;

const CLI = requireCompiled('packages/cli/bin/modmesh.js');
const USER = requireCompiled('examples/user-service/dist/main.js');
const AUTH = requireCompiled('examples/auth-service/dist/server/main.js');

describe.skipIf(unavailable)('a host following a tag through a balancer over registry replicas', () => {
  let replicas: ReplicaSet;
  let balancer: Balancer;
  let user: ServiceProcess;
  let auth: ServiceProcess;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-replicas-host-'));
    replicas = await startReplicaSet({ count: REPLICAS, remotes: ['auth'] });
    balancer = await startBalancer(replicas.urls);
  });
  afterAll(async () => {
    await user?.stop();
    await auth?.stop();
    await balancer?.close();
    await replicas?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it(`serves every /profile request and picks up each move while ${KILLS} replicas are killed and restarted`, {
    timeout: 120_000 + KILLS * 30_000,
  }, async () => {
    const authBuild = inject('authBuild');
    const keyFile = path.join(work, 'auth.key');
    writeFileSync(keyFile, replicas.publisher.privateKeyPem, { mode: 0o600 });
    const publish = async (version: string): Promise<void> => {
      const dir = path.join(work, 'builds', version);
      cpSync(authBuild.remoteDir, dir, { recursive: true });
      // New bytes in every release, so the host fetches them anew through the balancer.
      for (const file of readdirSync(dir)) if (file.endsWith('.js')) appendFileSync(path.join(dir, file), `\n/* release ${version} */\n`);
      const result = await runScript({
        script: CLI,
        args: ['publish', dir, '--name', 'auth', '--version', version, '--tag', 'stable', '--key', keyFile],
        env: { MODMESH_REGISTRY: balancer.url, MODMESH_TOKEN: REPLICA_ADMIN_TOKEN },
      });
      if (result.code !== 0) throw new Error(`publish ${version}: exit ${result.code}\n${result.stderr}`);
    };
    await publish('1.0.0');

    auth = await startService({ script: AUTH, env: { ...authEnv(authBuild), PORT: '0' } });
    const login = await requestJson<{ token: string }>(`${auth.url}/login`, { method: 'POST', json: { username: 'alice', password: 'wonderland' } });
    expect(login.status).toBe(200);
    const userCwd = path.join(work, 'user');
    mkdirSync(userCwd);
    user = await startService({
      script: USER,
      cwd: userCwd,
      env: {
        PORT: '0',
        MODMESH_REGISTRY: balancer.url,
        MODMESH_TRUST_AUTH: replicas.publisher.publicKey,
        MODMESH_CACHE_DIR: path.join(work, 'user-cache'),
        AUTH_DEADLINE_MS: '1500',
      },
    });
    const runs = async (version: string): Promise<void> => {
      await pollUntil(
        `the user service runs auth@${version}`,
        async () =>
          (await requestJson<{ validator: { version: string | null } }>(`${user.url}/health`)).body.validator.version === version ? true : undefined,
        { deadlineMs: PICKUP_DEADLINE_MS },
      );
    };
    await runs('1.0.0');

    const tally = createTally('host through a balancer, registry replicas killed');
    const load = startLoad({ url: `${user.url}/profile`, headers: { authorization: `Bearer ${login.body.token}` }, rate: RATE });
    let version = '1.0.0';
    try {
      for (let kill = 1; kill <= KILLS; kill++) {
        tally.trial();
        const victim = kill % REPLICAS;
        await replicas.kill(victim);
        version = `1.1.${kill}`;
        await publish(version);
        await runs(version).catch((error: Error) => tally.check(false, `kill #${kill}: ${error.message}`));
        await replicas.restart(victim);
      }
    } finally {
      const result = await load.stop();
      tally.requests(result.requests);
      tally.check(result.errors === 0 && result.non2xx === 0, `/profile under load: ${result.errors} errors, statuses ${JSON.stringify(result.statuses)}`);
      tally.record();
    }
    expect(tally.problems).toEqual([]);
    expect((await requestJson<{ validator: { version: string } }>(`${user.url}/health`)).body.validator.version).toBe(version);
    // The balancer did spread the host's and the CLI's connections over every replica.
    expect([...balancer.connections.values()].every((count) => count > 0)).toBe(true);
  });
});
