// The system every attack of issue 16 is tried against, as real processes on loopback: a
// registry in root mode (`modmesh registry start`, SQLite in its own data dir), a root of trust
// made offline (2-of-2 root keys, the registry's own online key, a publisher and a mover per
// remote), releases published and tags moved by the real CLI in root mode, and hosts (`createMesh
// ({ root })` in a process of their own, ../../../utils/scripts/tuf-host.mjs) that reach the
// registry through a proxy the attacker controls. Each release's code, when evaluated, writes a
// marker file `evaluated-<remote>@<version>` into its host's marker directory, and its module
// answers its own version: what a host ran, and what answers, are both observable from outside.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type FaultProxy,
  generateTufKey,
  type LogLine,
  pollUntil,
  repoRoot,
  requestJson,
  requireCompiled,
  runScript,
  type ScriptResult,
  type ServiceProcess,
  startFaultProxy,
  startService,
  type TufKeyPair,
} from '@modmesh/test-utils';
import {
  addRemote,
  addSignature,
  buildSnapshot,
  buildTimestamp,
  compactOf,
  documentBytes,
  draftRoot,
  draftTargets,
  type Envelope,
  type Signer,
  type SnapshotSigned,
  type TimestampSigned,
} from '@modmesh/trust';
import { createNodeCrypto, createNodeSigner } from '@modmesh/trust/node';
import Database from 'better-sqlite3';

const cli = requireCompiled('packages/cli/bin/modmesh.js');
const hostScript = path.join(repoRoot, 'test/utils/scripts/tuf-host.mjs');
requireCompiled('packages/runtime/dist/index.js');
const crypto = createNodeCrypto();
const DAY_MS = 86_400_000;

/** A key pair made for the test, as `modmesh keys generate` writes it: `keys/NAME.key` and `keys/NAME.pub`. */
export interface KeyFiles {
  pair: TufKeyPair;
  key: string;
  pub: string;
}

export interface AttackWorldOptions {
  /** The remotes the root delegates. @default ['auth'] */
  remotes?: string[];
  /** Publisher key names per remote. @default { R: ['R-publisher'] } */
  publishers?: Record<string, string[]>;
  /** More `modmesh registry start` flags (`--timestamp-expiry 4`). */
  registryArgs?: string[];
}

export interface AttackWorld {
  readonly work: string;
  readonly dataDir: string;
  /** The registry process (a new one after `restartRegistry`). */
  readonly registry: ServiceProcess;
  /** Between hosts and the registry: the attacker's position on the network. */
  readonly proxy: FaultProxy;
  readonly adminToken: string;
  /** `root-a`, `root-b` (the 2-of-2 root keys), `R-publisher`, `R-mover` per remote, and any extra publishers. */
  readonly keys: Record<string, KeyFiles>;
  /** The root ceremony's directory (`1.root.json`, `N.targets.json`), for `modmesh root ...`. */
  readonly trustDir: string;
  /** `trustDir/1.root.json`: what hosts and the CLI trust. */
  readonly rootFile: string;
  /** `modmesh ARGS` against the registry, in `work`, as admin, verifying from `rootFile`. */
  cli(args: string[], env?: Record<string, string | undefined>): Promise<ScriptResult>;
  /** The same, failing the test unless it exits 0; its stdout. */
  ok(args: string[], env?: Record<string, string | undefined>): Promise<string>;
  /** Publishes `remote@version` (its own small container) with the CLI in root mode, signed by `key` (default the remote's first publisher); `tag` moves a tag to it, signed by the remote's mover. */
  publish(remote: string, version: string, options?: { tag?: string; key?: string }): Promise<void>;
  /** `modmesh tag set REMOTE TAG VERSION --key R-mover.key ...more`. */
  tagSet(remote: string, tag: string, version: string, ...more: string[]): Promise<void>;
  /** The container directory of `remote@version` (its `remoteEntry.js`). */
  releaseDir(remote: string, version: string): string;
  /** The online key, read from the registry's data dir: what an attacker who got into its machine has. */
  onlineSigner(): Promise<Signer>;
  /** A metadata file as the registry serves it (`timestamp.json`, `3.auth.tags.json`). */
  metadata(file: string): Promise<Buffer>;
  /** The newest snapshot the registry serves, and the version of each role it lists (`auth.tags` → 2). */
  snapshot(): Promise<{ version: number; bytes: Buffer; roles: Record<string, number> }>;
  /** The document of `role` (`auth.tags`) the newest snapshot lists, as served. */
  role<T = Record<string, unknown>>(role: string): Promise<{ bytes: Buffer; envelope: Envelope<T> }>;
  /** Stops the registry, then starts it again on the same data dir with `args`; the proxy follows it. */
  restartRegistry(args?: string[]): Promise<void>;
  /** Stops the registry, runs `edit` on its SQLite file (as someone with the machine could), and starts it again. */
  editDatabase(edit: (db: Database.Database) => void): Promise<void>;
  startHost(remotes: Record<string, string>, options?: { cacheDir?: string; markers?: string }): Promise<TufHost>;
}

export interface TufHost {
  readonly service: ServiceProcess;
  readonly cacheDir: string;
  /** Where the releases it evaluates write their markers. */
  readonly markers: string;
  /** GET /answer/ALIAS: what the module of ALIAS's running release answers. */
  answer(alias?: string): Promise<{ status: number; body: { version?: string; error?: { code: string; cause?: string } } }>;
  /** Polls until ALIAS's module answers `version`. */
  waitForAnswer(version: string, alias?: string, deadlineMs?: number): Promise<void>;
  status(): Promise<HostStatus>;
  metrics(): Promise<string>;
  /** The marker files written so far: which releases' code ran in this host (`auth@1.1.0`), sorted. */
  evaluated(): string[];
  /** The first log line (past or future) with this code that `match` accepts. */
  logged(code: string, match?: (line: LogLine) => boolean, deadlineMs?: number): Promise<LogLine>;
  /** Log lines with this code so far. */
  lines(code: string): LogLine[];
  /** Asks ALIAS for its answer every 100 ms until `stop`, which resolves with every answer (a version, or the error code). */
  sample(alias?: string): { stop(): Promise<string[]> };
  stop(): Promise<number | null>;
}

export interface HostStatus {
  remotes: Record<
    string,
    {
      version?: string;
      source?: string;
      state: string;
      tagSeq?: number;
      evaluated: string[];
      lastError?: { code: string; message: string };
      stale?: { code: string; role: string; since?: string; forMs?: number; cause?: string };
    }
  >;
  trust?: { rootVersion: number; timestampVersion?: number; snapshotVersion?: number; expiresAt?: string };
}

export async function createAttackWorld(options: AttackWorldOptions = {}): Promise<AttackWorld & { close(): Promise<void> }> {
  const remotes = options.remotes ?? ['auth'];
  const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-tuf-attack-'));
  const dataDir = path.join(work, 'registry');
  const trustDir = path.join(work, 'trust');
  mkdirSync(path.join(work, 'keys'));
  mkdirSync(trustDir);
  const registryArgs = options.registryArgs ?? [];
  let registry = await startRegistry(registryArgs);
  const proxy = await startFaultProxy(registry.url);
  const adminToken = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  const hosts: TufHost[] = [];

  const keys: Record<string, KeyFiles> = {};
  const publishers = (remote: string) => options.publishers?.[remote] ?? [`${remote}-publisher`];
  for (const name of ['root-a', 'root-b', ...remotes.flatMap((remote) => [...publishers(remote), `${remote}-mover`])]) keys[name] = await writeKey(name);
  const rootFile = path.join(trustDir, '1.root.json');
  await rootCeremony();

  const world: AttackWorld & { close(): Promise<void> } = {
    work,
    dataDir,
    get registry() {
      return registry;
    },
    proxy,
    adminToken,
    keys,
    trustDir,
    rootFile,
    cli: (args, env = {}) =>
      runScript({
        script: cli,
        args,
        cwd: work,
        env: {
          MODMESH_REGISTRY: registry.url,
          MODMESH_TOKEN: adminToken,
          MODMESH_ROOT: rootFile,
          MODMESH_KEY: undefined,
          MODMESH_MOVER_KEY: undefined,
          ...env,
        },
        deadlineMs: 30_000,
      }),
    async ok(args, env) {
      const result = await world.cli(args, env);
      if (result.code !== 0) throw new Error(`modmesh ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
      return result.stdout;
    },
    async publish(remote, version, publishOptions = {}) {
      const dir = writeRelease(remote, version);
      const key = keys[publishOptions.key ?? (publishers(remote)[0] as string)] as KeyFiles;
      const tag = publishOptions.tag ? ['--tag', publishOptions.tag, '--mover-key', (keys[`${remote}-mover`] as KeyFiles).key] : [];
      await world.ok(['publish', dir, '--name', remote, '--version', version, '--key', key.key, '--expose', './version', ...tag]);
    },
    async tagSet(remote, tag, version, ...more) {
      await world.ok(['tag', 'set', remote, tag, version, '--key', (keys[`${remote}-mover`] as KeyFiles).key, ...more]);
    },
    releaseDir: (remote, version) => path.join(work, 'releases', `${remote}-${version}`),
    onlineSigner: () => createNodeSigner(readFileSync(path.join(dataDir, 'online-key'), 'utf8')),
    async metadata(file) {
      const response = await fetch(`${registry.url}/v1/tuf/metadata/${file}`);
      if (response.status !== 200) throw new Error(`${file}: ${response.status} ${await response.text()}`);
      return Buffer.from(await response.arrayBuffer());
    },
    async snapshot() {
      const timestamp = signedOf<TimestampSigned>(await world.metadata('timestamp.json'));
      const version = timestamp.signed.meta['snapshot.json'].version;
      const bytes = await world.metadata(`${version}.snapshot.json`);
      const meta = signedOf<SnapshotSigned>(bytes).signed.meta;
      return { version, bytes, roles: Object.fromEntries(Object.entries(meta).map(([file, entry]) => [file.replace(/\.json$/, ''), entry.version])) };
    },
    async role(role) {
      const version = (await world.snapshot()).roles[role];
      const bytes = await world.metadata(`${version}.${role}.json`);
      return { bytes, envelope: signedOf(bytes) };
    },
    async restartRegistry(args = registryArgs) {
      await registry.stop();
      registry = await startRegistry(args);
      proxy.upstream = registry.url;
    },
    async editDatabase(edit) {
      await registry.stop();
      const db = new Database(path.join(dataDir, 'registry.db'), { fileMustExist: true });
      try {
        db.transaction(() => edit(db))();
      } finally {
        db.close();
      }
      registry = await startRegistry(registryArgs);
      proxy.upstream = registry.url;
    },
    async startHost(hostRemotes, hostOptions = {}) {
      const cacheDir = hostOptions.cacheDir ?? mkdtempSync(path.join(work, 'host-cache-'));
      const markers = hostOptions.markers ?? mkdtempSync(path.join(work, 'host-markers-'));
      const host = await startTufHost({ registry: proxy.url, root: rootFile, remotes: hostRemotes, cacheDir, markers });
      hosts.push(host);
      return host;
    },
    async close() {
      await Promise.all(hosts.map((host) => host.stop()));
      await registry.stop();
      await proxy.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
  return world;

  function startRegistry(args: string[]): Promise<ServiceProcess> {
    return startService({
      script: cli,
      args: ['registry', 'start', '--port', '0', '--data', dataDir, ...args],
      env: { MODMESH_ADMIN_TOKEN: undefined, MODMESH_ONLINE_KEY_FILE: undefined, MODMESH_STORAGE: undefined },
    });
  }

  async function writeKey(name: string): Promise<KeyFiles> {
    const pair = await generateTufKey();
    const files = { pair, key: path.join(work, 'keys', `${name}.key`), pub: path.join(work, 'keys', `${name}.pub`) };
    writeFileSync(files.key, pair.privateKeyPem);
    chmodSync(files.key, 0o600);
    writeFileSync(files.pub, `${compactOf(pair.signer.key)}\n`);
    return files;
  }

  // Offline, with the builders `modmesh root create / add-remote / sign` use; the drafts are kept
  // in `trustDir` as the CLI keeps them, so that later `modmesh root ...` commands go on from them.
  async function rootCeremony(): Promise<void> {
    const online = await createNodeSigner(readFileSync(path.join(dataDir, 'online-key'), 'utf8'));
    const rootKeys = [keys['root-a'], keys['root-b']] as KeyFiles[];
    const expires = `${new Date(Date.now() + 365 * DAY_MS).toISOString().slice(0, 19)}Z`;
    const sign = async <T>(envelope: Envelope<T>): Promise<Envelope<T>> => {
      let signed = envelope;
      for (const { pair } of rootKeys) signed = await addSignature(signed, pair.signer, [pair.signer.keyid]);
      return signed;
    };
    const root = await sign(
      await draftRoot({ rootKeys: rootKeys.map(({ pair }) => pair.signer.key), threshold: 2, onlineKeys: [online.key], expires }, crypto),
    );
    let targets = draftTargets(expires);
    for (const remote of remotes) {
      targets = await addRemote(
        targets.signed,
        {
          remote,
          publishers: publishers(remote).map((name) => (keys[name] as KeyFiles).pair.signer.key),
          movers: [(keys[`${remote}-mover`] as KeyFiles).pair.signer.key],
          expires,
        },
        crypto,
      );
    }
    targets = await sign(targets);
    writeFileSync(rootFile, documentBytes(root));
    writeFileSync(path.join(trustDir, `${targets.signed.version}.targets.json`), documentBytes(targets));
    for (const [route, body] of [
      ['/v1/tuf/roots/1', root],
      [`/v1/tuf/targets/${targets.signed.version}`, targets],
    ] as const) {
      const response = await fetch(`${registry.url}${route}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) throw new Error(`${route}: ${response.status} ${await response.text()}`);
    }
  }

  // A container whose entry, when evaluated, leaves a marker in its host's marker directory, and
  // whose ./version module answers its remote and version.
  function writeRelease(remote: string, version: string): string {
    const dir = path.join(work, 'releases', `${remote}-${version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'remoteEntry.js'), containerSource(remote, version));
    return dir;
  }
}

/** The entry of a small container for `remote@version`, as `writeRelease` writes it. */
export function containerSource(remote: string, version: string): string {
  return `const fs = require('node:fs');
const path = require('node:path');
fs.writeFileSync(path.join(process.env.MODMESH_TEST_MARKERS, 'evaluated-${remote}@${version}'), '');
const modules = { './version': () => ({ remote: '${remote}', version: '${version}' }) };
module.exports = {
  init() {},
  get(expose) {
    const factory = modules[expose];
    return factory ? Promise.resolve(factory) : Promise.reject(new Error('Module "' + expose + '" does not exist in container.'));
  },
};
`;
}

/** Code that leaves the marker `evaluated-<name>` if it is ever evaluated: what an attacker's bytes would do. */
export function attackerSource(name: string): string {
  return `require('node:fs').writeFileSync(require('node:path').join(process.env.MODMESH_TEST_MARKERS, 'evaluated-${name}'), '');\n`;
}

/**
 * Marks the newest snapshot's row as expired: the registry's renewal (every second with
 * `--timestamp-renew-before 4`) then signs a new snapshot and timestamp over the rows as they now
 * are, as a compromised registry would.
 */
export function expireNewestSnapshot(db: Database.Database): void {
  db.prepare(
    "UPDATE tuf_metadata SET expires = '2000-01-01T00:00:00Z' WHERE role = 'snapshot' AND version = (SELECT snapshot FROM tuf_head WHERE id = 1)",
  ).run();
}

/** An `expires` `seconds` from now, as TUF writes it. */
export function expiresIn(seconds: number): string {
  return `${new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * What an attacker holding the online key serves in place of the registry's newest metadata:
 * `roles` (`auth.tags` → its bytes) swapped into the snapshot the registry serves, then that
 * snapshot and a timestamp over it, one version past the real ones, signed by `online`. The
 * answers by request path (timestamp.json and N.snapshot.json); every other file is the real one.
 */
export async function forgeSnapshot(world: AttackWorld, online: Signer, roles: Record<string, Uint8Array>): Promise<Record<string, Buffer>> {
  const real = await world.snapshot();
  const bytes: Record<string, Uint8Array> = {};
  for (const [role, version] of Object.entries(real.roles)) bytes[role] = roles[role] ?? (await world.metadata(`${version}.${role}.json`));
  const version = real.version + 1;
  const snapshot = await signWith(await buildSnapshot({ version, expires: expiresIn(3600), roles: bytes }, crypto), [online]);
  const timestamp = await signWith(await buildTimestamp({ version, expires: expiresIn(600), snapshot }, crypto), [online]);
  return { '/v1/tuf/metadata/timestamp.json': timestamp, [`/v1/tuf/metadata/${version}.snapshot.json`]: snapshot };
}

/** The proxy answers each path in `files` with its bytes, and forwards the rest. */
export function serveForged(world: AttackWorld, files: Record<string, Uint8Array>): void {
  world.proxy.setFault({ kind: 'rewrite', answer: (url) => (files[url] ? { body: files[url] } : undefined) });
}

/** Signs `envelope` with each signer in turn (the attacker signs with what it has). */
export async function signWith<T>(envelope: Envelope<T>, signers: readonly Signer[]): Promise<Buffer> {
  let signed = envelope;
  for (const signer of signers) signed = await addSignature(signed, signer, [signer.keyid]);
  return Buffer.from(documentBytes(signed));
}

/** The signed part of a metadata document's bytes. */
export function signedOf<T = Record<string, unknown>>(bytes: Uint8Array): Envelope<T> {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as Envelope<T>;
}

// --- internal ---

async function startTufHost(options: { registry: string; root: string; remotes: Record<string, string>; cacheDir: string; markers: string }): Promise<TufHost> {
  const service = await startService({
    script: hostScript,
    env: {
      MODMESH_REGISTRY: options.registry,
      MODMESH_ROOT: options.root,
      MODMESH_CACHE_DIR: options.cacheDir,
      MODMESH_TEST_MARKERS: options.markers,
      TUF_HOST_REMOTES: JSON.stringify(options.remotes),
      TUF_HOST_RECHECK_MS: '300',
    },
  });
  const host: TufHost = {
    service,
    cacheDir: options.cacheDir,
    markers: options.markers,
    answer: (alias = 'auth') => requestJson(`${service.url}/answer/${alias}`, { deadlineMs: 5000 }),
    async waitForAnswer(version, alias = 'auth', deadlineMs = 20_000) {
      await pollUntil(`${alias} answering ${version}`, async () => ((await host.answer(alias)).body.version === version ? true : undefined), { deadlineMs });
    },
    status: async () => (await requestJson<HostStatus>(`${service.url}/status`)).body,
    metrics: async () => (await fetch(`${service.url}/metrics`)).text(),
    evaluated: () =>
      readdirSync(options.markers)
        .filter((name) => name.startsWith('evaluated-'))
        .map((name) => name.slice('evaluated-'.length))
        .sort(),
    logged: (code, match = () => true, deadlineMs = 20_000) => service.waitForLog((line) => line.code === code && match(line), deadlineMs),
    lines: (code) => service.logs.filter((line) => line.code === code),
    sample(alias = 'auth') {
      const answers: string[] = [];
      let running = true;
      const loop = (async () => {
        while (running) {
          const { body } = await host
            .answer(alias)
            .catch((error: Error) => ({ body: { version: undefined, error: { code: `request failed: ${error.message}` } } }));
          answers.push(body.version ?? body.error?.code ?? 'nothing');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      return {
        async stop() {
          running = false;
          await loop;
          return answers;
        },
      };
    },
    stop: () => service.stop(),
  };
  return host;
}
