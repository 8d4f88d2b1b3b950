// Registry replicas as separate processes (`modmesh registry start --storage postgres://...`)
// on one PostgreSQL database made for the test, each on 127.0.0.1 and its own port, and the
// signed releases the scenarios publish to them.
import { createHash, randomBytes } from 'node:crypto';
import { generatePublisherKeyPair, type PublisherKeyPair, type ReleaseManifest, signRelease } from '@modmesh/manifest';
import {
  createTestDatabase,
  type JsonResponse,
  requestJson,
  requireCompiled,
  runScript,
  type ServiceProcess,
  startService,
  type TestDatabase,
} from '@modmesh/test-utils';

export const REPLICA_ADMIN_TOKEN = 'replicas-admin-token-0123456789abcdef';

export interface ReplicaSet {
  readonly database: TestDatabase;
  readonly publisher: PublisherKeyPair;
  /** Each replica's own URL, by index; stable across restarts. */
  readonly urls: string[];
  process(index: number): ServiceProcess;
  /** SIGKILL: no shutdown, no goodbye to its clients or the database. */
  kill(index: number): Promise<void>;
  /** Starts a killed replica again on its port. */
  restart(index: number): Promise<void>;
  /** A JSON request to one replica, with the admin token unless another is given. */
  api<T = Record<string, unknown>>(index: number, method: string, route: string, body?: unknown, token?: string): Promise<JsonResponse<T>>;
  /** Stops every replica and drops the database. */
  close(): Promise<void>;
}

/**
 * Migrates a new database with `modmesh registry migrate`, starts `count` replicas on it, and
 * registers a publisher key for each of `remotes`.
 */
export async function startReplicaSet(options: { count: number; remotes: string[] }): Promise<ReplicaSet> {
  const database = await createTestDatabase();
  const migrated = await runScript({ script: CLI, args: ['registry', 'migrate', '--storage', database.url] });
  if (migrated.code !== 0) throw new Error(`modmesh registry migrate: exit ${migrated.code}\n${migrated.stderr}`);
  const processes: ServiceProcess[] = [];
  const start = (port: string): Promise<ServiceProcess> =>
    startService({
      script: CLI,
      args: ['registry', 'start', '--port', port],
      env: { MODMESH_STORAGE: database.url, MODMESH_ADMIN_TOKEN: REPLICA_ADMIN_TOKEN, MODMESH_LOG_LEVEL: 'warn' },
    });
  for (let index = 0; index < options.count; index++) processes.push(await start('0'));
  const urls = processes.map((replica) => replica.url);
  const publisher = generatePublisherKeyPair();

  const set: ReplicaSet = {
    database,
    publisher,
    urls,
    process: (index) => processes[index]!,
    async kill(index) {
      await processes[index]!.kill('SIGKILL');
    },
    async restart(index) {
      processes[index] = await start(new URL(urls[index]!).port);
    },
    api: (index, method, route, body, token = REPLICA_ADMIN_TOKEN) =>
      requestJson(`${urls[index]}${route}`, { method, json: body, headers: { authorization: `Bearer ${token}` } }),
    async close() {
      await Promise.all(processes.map((replica) => replica.stop()));
      await database.drop();
    },
  };
  for (const name of options.remotes) {
    const { status, body } = await set.api(0, 'POST', `/v1/remotes/${name}/keys`, { publicKey: publisher.publicKey });
    if (status !== 201) throw new Error(`trust a key for ${name}: HTTP ${status} ${JSON.stringify(body)}`);
  }
  return set;
}

/** A release of `name@version` with `sizes.length` files of random bytes (new blobs every time), signed by `publisher`. */
export function makeRelease(publisher: PublisherKeyPair, name: string, version: string, sizes: number[] = [200, 120]) {
  const files = new Map(sizes.map((size, i) => [i === 0 ? 'remoteEntry.js' : `chunks/${i}.js`, randomBytes(size)] as const));
  const manifest: ReleaseManifest = {
    schema: 'modmesh.release/v1',
    name,
    version,
    files: [...files].map(([file, bytes]) => ({ path: file, size: bytes.length, sha256: sha256(bytes) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    containers: [{ target: 'node', name, entry: 'remoteEntry.js', exposes: [], shared: [] }],
    build: { bundler: 'test', bundlerVersion: '1', createdAt: new Date(0).toISOString() },
  };
  return { files, signed: signRelease(manifest, publisher.privateKeyPem) };
}

/** Uploads a release's files to `base` and publishes it; resolves with the publish's HTTP status. */
export async function publishRelease(base: string, token: string, release: ReturnType<typeof makeRelease>, tag?: string): Promise<number> {
  const { name } = release.signed.manifest as ReleaseManifest;
  const headers = { authorization: `Bearer ${token}` };
  await Promise.all(
    [...release.files.values()].map(async (bytes) => {
      const response = await fetch(`${base}/v1/remotes/${name}/blobs/${sha256(bytes)}`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: bytes,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (response.status >= 300) throw new Error(`upload: HTTP ${response.status}`);
    }),
  );
  const response = await fetch(`${base}/v1/remotes/${name}/releases`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ ...release.signed, ...(tag && { tag }) }),
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// --- internal ---

const CLI = requireCompiled('packages/cli/bin/modmesh.js');
