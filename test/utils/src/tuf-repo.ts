// A small TUF repository in the layout of design 16 §1.3, built with @modmesh/trust's own
// builders and real Ed25519 keys: what the registry will serve, for tests of the verifier, of
// stock tuf-js reading it, and (later) of the attacks. Every change makes snapshot+1 and
// timestamp+1, as the registry does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canonicalJson, generatePublisherKeyPair, type ReleaseManifest, signRelease } from '@modmesh/manifest';
import {
  addRemote,
  addSignature,
  buildReleasesUpdate,
  buildSnapshot,
  buildTagsUpdate,
  buildTimestamp,
  documentBytes,
  draftRoot,
  draftTargets,
  type Envelope,
  type MetadataSource,
  type ReleasesSigned,
  type RootSigned,
  type Signer,
  type SnapshotSigned,
  type TagsSigned,
  type TargetsSigned,
} from '@modmesh/trust';
import { createNodeCrypto, createNodeSigner } from '@modmesh/trust/node';
import { startStaticServer, type TestServer } from './servers.js';

export interface TufKeyPair {
  signer: Signer;
  /** The PKCS#8 PEM, as `modmesh keys generate` writes it. */
  privateKeyPem: string;
}

export interface TufRepository {
  crypto: ReturnType<typeof createNodeCrypto>;
  keys: { root: TufKeyPair[]; online: TufKeyPair; publishers: Record<string, TufKeyPair>; movers: Record<string, TufKeyPair> };
  /** Metadata files by name (`1.root.json`, `timestamp.json`, `4.auth.tags.json`), exact bytes. */
  files: Map<string, Uint8Array>;
  /** Target files by their consistent path (`auth/releases/<sha256>.1.0.0.json`). */
  targets: Map<string, Uint8Array>;
  /** The newest version of each role's document, as signed. */
  current: { root: Envelope<RootSigned>; targets: Envelope<TargetsSigned>; roles: Record<string, Envelope<ReleasesSigned>> };
  versions: { snapshot: number; timestamp: number };
  /** The clock the repository signs expiries with (ms); tests move it. */
  now: number;
  /** Publishes `remote@version` (a signed release document) and lists it in `remote.releases`. */
  publish(remote: string, version: string): Promise<Uint8Array>;
  moveTag(remote: string, tag: string, version: string, options?: { rollback?: boolean; reason?: string }): Promise<void>;
  /** A new timestamp over the current snapshot (the registry's renewal). */
  renewTimestamp(): Promise<void>;
  /** Stores a role document signed by `signers` as its next file, without a new snapshot. */
  putRole(role: string, envelope: Envelope<unknown>, signers: readonly TufKeyPair[]): Promise<Uint8Array>;
  /** A new snapshot over the newest targets and roles, and a new timestamp over it. */
  commit(): Promise<void>;
  /** A new snapshot over the newest documents, changed by `mutate` before the online key signs it, and a timestamp over it. */
  putSnapshot(mutate: (signed: SnapshotSigned) => void): Promise<void>;
  /** `after(days)` from `now`, as an `expires`. */
  after(days: number): string;
  /** Signs `envelope` with each signer, whether or not the role names it (tests forge with this). */
  sign<T>(envelope: Envelope<T>, signers: readonly TufKeyPair[]): Promise<Uint8Array>;
  source(): MetadataSource;
  /** Serves the repository as the registry will: /v1/tuf/metadata/<file>, /v1/tuf/targets/<path>. */
  serve(): Promise<TestServer>;
}

const DAY_MS = 86_400_000;

/** A repository with a 2-of-3 root, one online key, and for each remote a publisher and a mover. */
export async function createTufRepository(options: { remotes?: string[]; now?: number } = {}): Promise<TufRepository> {
  const crypto = createNodeCrypto();
  const remotes = options.remotes ?? ['auth'];
  const keys = {
    root: await Promise.all([0, 1, 2].map(() => generateTufKey())),
    online: await generateTufKey(),
    publishers: Object.fromEntries(await Promise.all(remotes.map(async (remote) => [remote, await generateTufKey()] as const))),
    movers: Object.fromEntries(await Promise.all(remotes.map(async (remote) => [remote, await generateTufKey()] as const))),
  };
  const repo: TufRepository = {
    crypto,
    keys,
    files: new Map(),
    targets: new Map(),
    current: undefined as never,
    versions: { snapshot: 0, timestamp: 0 },
    now: options.now ?? Date.parse('2026-12-01T12:00:00Z'),
    async publish(remote, version) {
      const document = new TextEncoder().encode(canonicalJson(signRelease(releaseManifest(remote, version), keys.publishers[remote]?.privateKeyPem as string)));
      const update = await buildReleasesUpdate(
        repo.current.roles[`${remote}.releases`]?.signed,
        { remote, add: { version, document }, expires: after(365) },
        crypto,
      );
      await putRole(`${remote}.releases`, update, [keys.publishers[remote] as TufKeyPair]);
      const sha256 = Buffer.from(await crypto.sha256(document)).toString('hex');
      repo.targets.set(`${remote}/releases/${sha256}.${version}.json`, document);
      await commit();
      return document;
    },
    async moveTag(remote, tag, version, moveOptions = {}) {
      const releases = repo.current.roles[`${remote}.releases`]?.signed as ReleasesSigned;
      const current = repo.current.roles[`${remote}.tags`]?.signed as TagsSigned | undefined;
      const update = buildTagsUpdate(current, releases, {
        remote,
        tag,
        version,
        ...moveOptions,
        movedAt: new Date(repo.now).toISOString(),
        expires: after(365),
      });
      await putRole(`${remote}.tags`, update, [keys.movers[remote] as TufKeyPair]);
      const target = update.signed.targets[`${remote}/tags/${tag}`];
      const document = [...repo.targets].find(([path]) => path.startsWith(`${remote}/releases/${target?.hashes.sha256}.`))?.[1] as Uint8Array;
      repo.targets.set(`${remote}/tags/${target?.hashes.sha256}.${tag}`, document);
      await commit();
    },
    async renewTimestamp() {
      await timestampOver(repo.files.get(`${repo.versions.snapshot}.snapshot.json`) as Uint8Array);
    },
    putRole,
    commit,
    putSnapshot: (mutate) => commit(mutate),
    after,
    async sign(envelope, signers) {
      let signed = envelope;
      for (const pair of signers) signed = await addSignature(signed, pair.signer, [pair.signer.keyid]);
      return documentBytes(signed);
    },
    source() {
      return { get: async (fetch) => repo.files.get(fetch.file) };
    },
    serve() {
      return startStaticServer(function tufLayout(req: IncomingMessage, res: ServerResponse) {
        const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        const bytes = url.startsWith('/v1/tuf/metadata/')
          ? repo.files.get(url.slice('/v1/tuf/metadata/'.length))
          : repo.targets.get(url.slice('/v1/tuf/targets/'.length));
        res.writeHead(bytes ? 200 : 404, { 'content-type': 'application/json' }).end(bytes);
      });
    },
  };

  function after(days: number): string {
    return `${new Date(repo.now + days * DAY_MS).toISOString().slice(0, 19)}Z`;
  }

  async function putRole(role: string, update: Envelope<unknown>, signers: readonly TufKeyPair[]): Promise<Uint8Array> {
    const bytes = await repo.sign(update, signers);
    const envelope = JSON.parse(new TextDecoder().decode(bytes));
    if (role === 'targets') repo.current.targets = envelope;
    else repo.current.roles[role] = envelope;
    repo.files.set(`${envelope.signed.version}.${role}.json`, bytes);
    return bytes;
  }

  async function commit(mutate?: (signed: SnapshotSigned) => void): Promise<void> {
    const roles: Record<string, Uint8Array> = { targets: repo.files.get(`${repo.current.targets.signed.version}.targets.json`) as Uint8Array };
    for (const [role, envelope] of Object.entries(repo.current.roles)) roles[role] = repo.files.get(`${envelope.signed.version}.${role}.json`) as Uint8Array;
    repo.versions.snapshot += 1;
    const draft = await buildSnapshot({ version: repo.versions.snapshot, expires: after(7), roles }, crypto);
    mutate?.(draft.signed);
    const snapshot = await repo.sign(draft, [repo.keys.online]);
    repo.files.set(`${repo.versions.snapshot}.snapshot.json`, snapshot);
    await timestampOver(snapshot);
  }

  async function timestampOver(snapshot: Uint8Array): Promise<void> {
    repo.versions.timestamp += 1;
    const expires = `${new Date(repo.now + 3_600_000).toISOString().slice(0, 19)}Z`;
    repo.files.set(
      'timestamp.json',
      await repo.sign(await buildTimestamp({ version: repo.versions.timestamp, expires, snapshot }, crypto), [repo.keys.online]),
    );
  }

  const rootKeys = keys.root.map((pair) => pair.signer.key);
  // Labels (x_modmesh) are a field TUF tools do not know: they must keep and verify it.
  const labels = Object.fromEntries(keys.root.map((pair, index) => [pair.signer.keyid, `root key ${index + 1}`]));
  const root = await draftRoot({ rootKeys, threshold: 2, onlineKeys: [keys.online.signer.key], expires: after(365), labels }, crypto);
  const rootBytes = await repo.sign(root, keys.root.slice(0, 2));
  repo.files.set('1.root.json', rootBytes);
  let targets = draftTargets(after(365));
  for (const remote of remotes) {
    targets = await addRemote(
      targets.signed,
      { remote, publishers: [keys.publishers[remote]?.signer.key as never], movers: [keys.movers[remote]?.signer.key as never], expires: after(365) },
      crypto,
    );
  }
  const targetsBytes = await repo.sign(targets, keys.root.slice(0, 2));
  repo.files.set(`${targets.signed.version}.targets.json`, targetsBytes);
  repo.current = { root: JSON.parse(new TextDecoder().decode(rootBytes)), targets: JSON.parse(new TextDecoder().decode(targetsBytes)), roles: {} };
  await commit();
  return repo;
}

/** A new Ed25519 key pair as a TUF signer. */
export async function generateTufKey(): Promise<TufKeyPair> {
  const pair = generatePublisherKeyPair();
  return { signer: await createNodeSigner(pair.privateKeyPem), privateKeyPem: pair.privateKeyPem };
}

/** A small valid release manifest of `remote@version`. */
export function releaseManifest(remote: string, version: string): ReleaseManifest {
  return {
    schema: 'modmesh.release/v1',
    name: remote,
    version,
    files: [{ path: 'remoteEntry.js', size: 10, sha256: 'a'.repeat(64) }],
    containers: [{ target: 'node', name: remote, entry: 'remoteEntry.js', exposes: [{ name: './tokenValidator' }], shared: [] }],
    build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: '2026-11-22T03:00:00.000Z' },
  };
}
