// The seeds' system as real processes, for the chaos scenarios: a registry (SQLite + blob dir),
// the auth service's build published to it with the CLI and a real key, the auth service
// issuing tokens, and the user service running the validator it verified, with its connection
// to the registry through a fault proxy the scenario controls.
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePublisherKeyPair, type PublisherKeyPair } from '@modmesh/manifest';
import {
  type AuthBuild,
  authEnv,
  type FaultProxy,
  type JsonResponse,
  pollUntil,
  requestJson,
  requireCompiled,
  runScript,
  type ServiceProcess,
  startFaultProxy,
  startService,
} from '@modmesh/test-utils';

export interface Health {
  validator: { version: string | null };
  remotes: Record<string, { version?: string; state: string; evaluated: string[]; lastError?: { code: string } }>;
  events: 'connected' | 'disconnected' | 'off';
}

export interface MeshSystem {
  readonly work: string;
  /** The registry's data dir: SQLite and blobs, kept across restarts. */
  readonly dataDir: string;
  /** The registry's own URL; the user service reaches it through `proxy`. */
  readonly registryUrl: string;
  readonly registry: ServiceProcess;
  readonly auth: ServiceProcess;
  readonly user: ServiceProcess;
  readonly proxy: FaultProxy;
  /** Where the user service caches verified releases, and its working directory. */
  readonly userCache: string;
  readonly userCwd: string;
  readonly admin: string;
  /** A publish token scoped to auth. */
  readonly publishToken: string;
  /** The key auth releases are signed with; the user service trusts its public half. */
  readonly publisher: PublisherKeyPair;
  /** Its private half, as a file for `modmesh publish --key`. */
  readonly keyFile: string;
  /** Alice's token from the auth service's /login. */
  readonly token: string;
  /** The version the stable tag points at, as this system last moved it. */
  readonly stable: string;
  /** A version above every one published so far. */
  nextVersion(): string;
  /** A copy of the auth build whose files differ from every other release's, so a host must fetch them anew. */
  freshBuild(version: string): string;
  /** Publishes `freshBuild(version)` with the CLI, moving stable to it unless `tag` is false. */
  publish(version: string, options?: { tag?: boolean }): Promise<void>;
  /** Moves stable to `version` with the CLI. */
  tagStable(version: string): Promise<void>;
  /** Every version the registry lists for auth, and where stable points. */
  published(): Promise<{ versions: string[]; stable: string | undefined }>;
  /** `modmesh ...` against the registry. */
  cli(args: string[], token?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** A JSON request to the registry's API, with the admin token unless another is given. */
  api<T = Record<string, unknown>>(method: string, route: string, body?: unknown, token?: string): Promise<JsonResponse<T>>;
  killRegistry(): Promise<void>;
  /** Starts the registry again on the same port and data dir. */
  restartRegistry(): Promise<void>;
  killAuth(): Promise<void>;
  restartAuth(): Promise<void>;
  login(): Promise<JsonResponse<{ token: string }>>;
  health(): Promise<Health>;
  metrics(): Promise<string>;
  /** Polls the user service's /health until it runs `version`. */
  waitForVersion(version: string, deadlineMs?: number): Promise<void>;
}

export async function startMeshSystem(options: { work: string; authBuild: AuthBuild }): Promise<MeshSystem> {
  const { work, authBuild } = options;
  const dataDir = path.join(work, 'registry');
  const userCache = path.join(work, 'user-cache');
  const userCwd = path.join(work, 'user-cwd');
  mkdirSync(userCwd, { recursive: true });
  const publisher = generatePublisherKeyPair();
  const keyFile = path.join(work, 'auth.key');
  writeFileSync(keyFile, publisher.privateKeyPem, { mode: 0o600 });

  let registry = await startService({ script: CLI, args: ['registry', 'start', '--port', '0', '--data', dataDir], env: {} });
  const registryUrl = registry.url;
  const admin = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  let auth = await startAuth();
  let patch = 0;
  let stable = '1.0.0';

  const api = async <T>(method: string, route: string, body?: unknown, token = admin): Promise<JsonResponse<T>> =>
    requestJson<T>(`${registryUrl}${route}`, { method, json: body, headers: { authorization: `Bearer ${token}` } });
  const expectOk = <T>(response: JsonResponse<T>, what: string): T => {
    if (response.status >= 300) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  expectOk(await api('POST', '/v1/remotes/auth/keys', { publicKey: publisher.publicKey, label: 'chaos' }), 'trust the publisher key');
  const { token: publishToken } = expectOk(await api<{ token: string }>('POST', '/v1/tokens', { remote: 'auth' }), 'create a publish token');

  const cli = (args: string[], token = publishToken) => runScript({ script: CLI, args, env: { MODMESH_REGISTRY: registryUrl, MODMESH_TOKEN: token } });
  const freshBuild = (version: string): string => {
    const dir = path.join(work, 'builds', version);
    cpSync(authBuild.remoteDir, dir, { recursive: true });
    for (const file of readdirSync(dir)) if (file.endsWith('.js')) appendFileSync(path.join(dir, file), `\n/* modmesh chaos release ${version} */\n`);
    return dir;
  };
  const run = async (args: string[]): Promise<void> => {
    const result = await cli(args);
    if (result.code !== 0) throw new Error(`modmesh ${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
  };
  const tagStable = async (version: string): Promise<void> => {
    await run(['tag', 'set', 'auth', 'stable', version]);
    stable = version;
  };
  const publish = async (version: string, { tag = true } = {}): Promise<void> => {
    await run(['publish', freshBuild(version), '--name', 'auth', '--version', version, ...(tag ? ['--tag', 'stable'] : []), '--key', keyFile]);
    if (tag) stable = version;
  };
  await publish(stable);

  const proxy = await startFaultProxy(registryUrl);
  const user = await startService({
    script: USER,
    cwd: userCwd,
    env: {
      PORT: '0',
      MODMESH_REGISTRY: proxy.url,
      MODMESH_TRUST_AUTH: publisher.publicKey,
      MODMESH_CACHE_DIR: userCache,
      AUTH_DEADLINE_MS: String(HOST_DEADLINE_MS),
    },
  });

  const system: MeshSystem = {
    work,
    dataDir,
    registryUrl,
    get registry() {
      return registry;
    },
    get auth() {
      return auth;
    },
    user,
    proxy,
    userCache,
    userCwd,
    admin,
    publishToken,
    publisher,
    keyFile,
    token: '',
    get stable() {
      return stable;
    },
    nextVersion: () => `1.1.${++patch}`,
    freshBuild,
    publish,
    tagStable,
    async published() {
      const { body } = await api<{ versions: { version: string }[]; tags: { tag: string; version: string }[] }>('GET', '/v1/remotes/auth');
      return { versions: body.versions.map((entry) => entry.version), stable: body.tags.find((tag) => tag.tag === 'stable')?.version };
    },
    cli,
    api,
    async killRegistry() {
      await registry.kill('SIGKILL');
    },
    async restartRegistry() {
      registry = await startService({ script: CLI, args: ['registry', 'start', '--port', new URL(registryUrl).port, '--data', dataDir], env: {} });
    },
    async killAuth() {
      await auth.kill('SIGKILL');
    },
    async restartAuth() {
      auth = await startAuth();
    },
    login: () => requestJson<{ token: string }>(`${auth.url}/login`, { method: 'POST', json: { username: 'alice', password: 'wonderland' }, deadlineMs: 5000 }),
    async health() {
      return (await requestJson<Health>(`${user.url}/health`)).body;
    },
    async metrics() {
      return (await fetch(`${user.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    },
    async waitForVersion(version, deadlineMs = RECOVERY_DEADLINE_MS) {
      await pollUntil(`the user service runs auth@${version}`, async () => ((await system.health()).validator.version === version ? true : undefined), {
        deadlineMs,
      });
    },
  };
  const login = await system.login();
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status}`);
  Object.defineProperty(system, 'token', { value: login.body.token });
  await system.waitForVersion(stable);
  return system;

  function startAuth(): Promise<ServiceProcess> {
    return startService({ script: AUTH, env: { ...authEnv(authBuild), PORT: '0' } });
  }
}

/** How long a host may take to pick up a release once nothing is in the way any more. */
export const RECOVERY_DEADLINE_MS = 20_000;
/** The user service's deadline for the first byte of a registry answer (AUTH_DEADLINE_MS). */
export const HOST_DEADLINE_MS = 1500;

// --- internal ---

const CLI = requireCompiled('packages/cli/bin/modmesh.js');
const AUTH = requireCompiled('examples/auth-service/dist/server/main.js');
const USER = requireCompiled('examples/user-service/dist/main.js');
