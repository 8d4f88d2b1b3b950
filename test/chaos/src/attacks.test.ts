// Supply-chain attacks on the real system: a registry process with its data dir, the CLI, and
// the user service reaching the registry through a proxy that can stand in for whoever sits in
// between (a compromised network path or registry). Each attack must be refused with its code,
// and nothing of it stored, evaluated or made to replace what runs; a canary in the attacker's
// code would write a file if it ever ran.
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  containersFromMfManifest,
  generatePublisherKeyPair,
  type PublisherKeyPair,
  type ReleaseManifest,
  type SignedRelease,
  signingInput,
  signRelease,
} from '@modmesh/manifest';
import { counter, pollUntil, stopAllServices } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MeshSystem, startMeshSystem } from './mesh-system.js';
import { byLevel } from './record.js';
import { createTally, type Tally } from './tally.js';

/** Times each attack on the host is repeated (alternating its variants). */
const TRIALS = byLevel(2, 6);
/** The registry's default limits: a release file, and a JSON body (a signed manifest). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;
const MAX_JSON_BYTES = 1024 * 1024;
/** What a gzip bomb inflates to: far more than the registry would hold in memory for one request. */
const BOMB_BYTES = 256 * 1024 * 1024;
/** The registry's memory may grow by this much while it refuses a bomb, not by the bomb's size. */
const BOMB_MEMORY_SLACK_BYTES = 96 * 1024 * 1024;
/** How long the host may take to meet an attack (an event, then a fetch). */
const NOTICE_DEADLINE_MS = 15_000;
const ATTACK_TIMEOUT_MS = 120_000;

const authBuild = inject('authBuild');
const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-chaos-attacks-'));
const marker = path.join(work, 'ATTACKER-CODE-RAN');
/** Code that, evaluated anywhere in the host, leaves the marker. */
const CANARY = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');`;
const RESOLVES = (url: string) => url.includes('/resolve/');

let system: MeshSystem;
/** Another remote's publisher, registered for it at the registry: `billing`. */
const billing = generatePublisherKeyPair();
let billingToken: string;

beforeAll(async () => {
  system = await startMeshSystem({ work, authBuild });
  expect((await system.api('POST', '/v1/remotes/billing/keys', { publicKey: billing.publicKey })).status).toBe(201);
  billingToken = (await system.api<{ token: string }>('POST', '/v1/tokens', { remote: 'billing' })).body.token;
});
afterAll(async () => {
  await system?.proxy.close();
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

describe('supply-chain attacks: refused with their code, nothing stored or evaluated', () => {
  it('a release file altered on the registry’s disk after publishing', { timeout: ATTACK_TIMEOUT_MS }, async () => {
    const tally = createTally('blob altered on the registry disk');
    for (let trial = 0; trial < TRIALS; trial++) {
      tally.trial();
      const version = system.nextVersion();
      await system.publish(version, { tag: false });
      const manifest = (await system.api<SignedRelease>('GET', `/v1/remotes/auth/releases/${version}`)).body.manifest;
      // The validator's chunk, or the entry every host evaluates first.
      const target = manifest.files.find((file) => (trial % 2 === 0 ? file.path.startsWith('__federation_expose_') : file.path === 'remoteEntry.js'))!;
      const blob = path.join(system.dataDir, 'blobs', 'sha256', target.sha256.slice(0, 2), target.sha256);
      writeFileSync(blob, sameSize(CANARY, target.size));

      await againstHost(tally, `${target.path} of ${version} altered on disk`, {
        code: 'MODMESH_HASH_MISMATCH',
        metric: ['modmesh_runtime_verification_failures_total', { remote: 'auth', code: 'MODMESH_HASH_MISMATCH' }],
        attack: () => system.tagStable(version),
        stored: () => existsSync(path.join(system.userCache, 'blobs', target.sha256.slice(0, 2), target.sha256)) || cachedRelease(version),
      });
    }
    finish(tally);
  });

  it('a manifest re-signed with a key trusted for another remote', { timeout: ATTACK_TIMEOUT_MS }, async () => {
    const tally = createTally('manifest re-signed with another remote’s key');
    for (let trial = 0; trial < TRIALS; trial++) {
      tally.trial();
      const version = system.nextVersion();
      const { signed, files } = releaseOf(system.freshBuild(version), version, billing);
      // At the registry, with auth's own publish token (stolen) and billing's key.
      await uploadAll(files, system.publishToken);
      const published = await system.api('POST', '/v1/remotes/auth/releases', { ...signed, tag: 'stable' }, system.publishToken);
      tally.requests(files.size + 1);
      tally.check(
        published.status === 403 && errorCode(published.body) === 'MODMESH_KEY_NOT_TRUSTED',
        `publish signed by billing's key: ${published.status} ${errorCode(published.body)}`,
      );
      // At the host, from whoever answers for the registry.
      await againstHost(tally, `${version} signed by billing's key, served to the host`, {
        code: 'MODMESH_KEY_NOT_TRUSTED',
        metric: ['modmesh_runtime_verification_failures_total', { remote: 'auth', code: 'MODMESH_KEY_NOT_TRUSTED' }],
        attack: () => answerResolves(signed, version),
        stored: () => cachedRelease(version),
      });
    }
    finish(tally);
  });

  it('a replay of an older signed answer for the stable tag', { timeout: ATTACK_TIMEOUT_MS }, async () => {
    const tally = createTally('replayed older signed manifest for a tag');
    for (let trial = 0; trial < TRIALS; trial++) {
      tally.trial();
      const recorded = (await system.api<ResolveAnswer>('GET', '/v1/remotes/auth/resolve/stable?include=release')).body;
      const version = system.nextVersion();
      await system.publish(version);
      await system.waitForVersion(version);
      // Replayed as recorded, or with the tag's move counter pushed past the current one.
      const replayed = trial % 2 === 0 ? recorded : { ...recorded, tag: { ...recorded.tag, seq: recorded.tag.seq + 10 } };
      await againstHost(tally, `stable replayed at ${recorded.version} (move #${replayed.tag.seq})`, {
        code: 'MODMESH_REPLAY_REFUSED',
        metric: ['modmesh_runtime_swaps_total', { remote: 'auth', result: 'MODMESH_REPLAY_REFUSED' }],
        attack: async () => replay(replayed),
        stored: () => false,
      });
    }
    finish(tally);
  });

  it('a release whose manifest omits a file its entry loads', { timeout: ATTACK_TIMEOUT_MS }, async () => {
    const tally = createTally('release omitting a file its entry loads');
    for (let trial = 0; trial < TRIALS; trial++) {
      tally.trial();
      const version = system.nextVersion();
      const { files } = releaseOf(system.freshBuild(version), version, system.publisher);
      const chunk = [...files.keys()].find((file) => file.startsWith('__federation_expose_'))!;
      files.delete(chunk);
      // Where a stock loader would look for the missing chunk: the host's working directory
      // and the directory the container believes it runs from.
      for (const dir of [system.userCwd, path.join(system.userCache, 'releases', 'auth', version)]) plant(dir, chunk, CANARY);
      await uploadAll(files, system.publishToken);
      // Signed as its mf-manifest.json says, naming the chunk: the registry sees it is missing.
      const named = manifestOf(files, version, readContainers(files));
      const refused = await system.api('POST', '/v1/remotes/auth/releases', { ...signAnyway(named, system.publisher), tag: 'stable' }, system.publishToken);
      tally.check(
        refused.status === 400 && (refused.body as { error?: { code?: string } }).error?.code === 'MODMESH_MANIFEST_INVALID',
        `publishing a release naming a chunk it lacks: ${refused.status}`,
      );
      // Signed without naming it anywhere (a hostile publisher signs what it likes): only the
      // host can find out, when the entry asks for it.
      const unnamed = readContainers(files).map((container) => ({ ...container, exposes: container.exposes.map(({ name }) => ({ name })) }));
      const signed = signRelease(manifestOf(files, version, unnamed), system.publisher.privateKeyPem);
      const published = await system.api('POST', '/v1/remotes/auth/releases', { ...signed, tag: 'stable' }, system.publishToken);
      tally.requests(files.size + 2);
      if (!tally.check(published.status === 201, `publishing the incomplete release: ${published.status}`)) continue;

      await againstHost(tally, `${version} without ${chunk}`, {
        code: 'MODMESH_CHUNK_NOT_IN_RELEASE',
        metric: ['modmesh_runtime_swaps_total', { remote: 'auth', result: 'MODMESH_CHUNK_NOT_IN_RELEASE' }],
        attack: async () => {},
        stored: () => false,
      });
    }
    finish(tally);
  });

  it('a publish with a token scoped to another remote', { timeout: ATTACK_TIMEOUT_MS }, async () => {
    const tally = createTally('publish with a token scoped to another remote');
    tally.trial();
    const before = await registrySnapshot();
    const version = system.nextVersion();
    const dir = system.freshBuild(version);
    const { signed, files } = releaseOf(dir, version, system.publisher);
    const [sha256, bytes] = [...files.values()].map((file) => [sha(file), file] as const)[0]!;
    const attempts: [string, Promise<{ status: number; body: unknown }>][] = [
      ['upload a file', send(`${system.registryUrl}/v1/remotes/auth/blobs/${sha256}`, { method: 'PUT', token: billingToken, body: bytes })],
      ['publish a release', system.api('POST', '/v1/remotes/auth/releases', { ...signed, tag: 'stable' }, billingToken)],
      ['move a tag', system.api('PUT', '/v1/remotes/auth/tags/stable', { version: system.stable, expect: system.stable }, billingToken)],
      ['roll back a tag', system.api('POST', '/v1/remotes/auth/tags/stable/rollback', {}, billingToken)],
    ];
    for (const [what, attempt] of attempts) {
      const { status, body } = await attempt;
      tally.requests(1);
      tally.check(status === 403 && errorCode(body) === 'MODMESH_FORBIDDEN', `${what} with billing's token: ${status} ${errorCode(body)}`);
    }
    const cli = await system.cli(['publish', dir, '--name', 'auth', '--version', version, '--tag', 'stable', '--key', system.keyFile], billingToken);
    tally.requests(1);
    tally.check(cli.code !== 0 && cli.stderr.includes('MODMESH_FORBIDDEN'), `modmesh publish with billing's token: exit ${cli.code} ${cli.stderr.trim()}`);
    await unchanged(tally, before, 'after the writes with a foreign token');
    finish(tally);
  });

  it('path traversal and symlinks in release file names', { timeout: ATTACK_TIMEOUT_MS }, async () => {
    const tally = createTally('path traversal and symlinks in file names');
    const before = await registrySnapshot();
    // A build directory holding links out of it, published with the CLI.
    const links: [string, string][] = [
      ['passwd.js', '/etc/passwd'],
      ['node_modules', path.join(system.work, '..')],
    ];
    for (const [link, to] of links) {
      tally.trial();
      const version = system.nextVersion();
      const dir = system.freshBuild(version);
      symlinkSync(to, path.join(dir, link));
      const cli = await system.cli(['publish', dir, '--name', 'auth', '--version', version, '--tag', 'stable', '--key', system.keyFile]);
      tally.requests(1);
      tally.check(
        cli.code !== 0 && cli.stderr.includes('MODMESH_UNSAFE_PATH'),
        `modmesh publish of a build with ${link} -> ${to}: exit ${cli.code} ${cli.stderr.trim()}`,
      );
    }
    await unchanged(tally, before, 'after publishing builds with symlinks');

    // Manifests naming paths out of the release, signed with the real key, posted directly.
    for (const unsafe of ['../../escape.js', '/tmp/escape.js', 'chunks/../../escape.js', '..\\escape.js', 'remoteEntry.js/../../escape.js']) {
      tally.trial();
      const version = system.nextVersion();
      const { files } = releaseOf(system.freshBuild(version), version, system.publisher);
      const evil = Buffer.from(CANARY);
      files.set(unsafe, evil);
      await uploadAll(new Map([[unsafe, evil]]), system.publishToken);
      const signed = signAnyway(manifestOf(files, version, readContainers(files)), system.publisher);
      const published = await system.api('POST', '/v1/remotes/auth/releases', { ...signed, tag: 'stable' }, system.publishToken);
      tally.requests(2);
      tally.check(
        published.status === 400 && errorCode(published.body) === 'MODMESH_UNSAFE_PATH',
        `a manifest naming ${unsafe}: ${published.status} ${errorCode(published.body)}`,
      );
      if (unsafe.startsWith('../')) {
        await againstHost(tally, `a manifest naming ${unsafe}, served to the host`, {
          code: 'MODMESH_UNSAFE_PATH',
          metric: ['modmesh_runtime_verification_failures_total', { remote: 'auth', code: 'MODMESH_UNSAFE_PATH' }],
          attack: () => answerResolves(signed, version),
          stored: () => cachedRelease(version) || existsSync(path.resolve(system.userCache, 'releases', 'auth', version, unsafe)),
        });
      }
    }
    tally.check(!findFile(work, 'escape.js') && !existsSync('/tmp/escape.js'), 'a file named escape.js was written');
    await unchanged(tally, before, 'after manifests with unsafe paths', { blobsMayGrow: true });
    finish(tally);
  });

  it('decompression and size bombs', { timeout: ATTACK_TIMEOUT_MS }, async () => {
    const tally = createTally('decompression and size bombs');
    const before = await registrySnapshot();
    const memoryBefore = await registryMemory();
    const fileBomb = await gzipBomb(BOMB_BYTES);
    const manifestBomb = await gzipBomb(BOMB_BYTES, { prefix: '{"manifest":', suffix: '{}}' });
    const oversized = MAX_FILE_BYTES + 1024 * 1024;
    const oversizedSha = sha(Buffer.alloc(oversized));
    const attempts: { what: string; status: number; code: string; request: () => Promise<{ status: number; body: unknown }> }[] = [
      {
        what: `a ${oversized}-byte file, length declared`,
        status: 413,
        code: 'MODMESH_BODY_TOO_LARGE',
        request: () => send(blobUrl(oversizedSha), { method: 'PUT', body: zeroStream(oversized), headers: { 'content-length': String(oversized) } }),
      },
      {
        what: `a ${oversized}-byte file, chunked`,
        status: 413,
        code: 'MODMESH_BODY_TOO_LARGE',
        request: () => send(blobUrl(oversizedSha), { method: 'PUT', body: zeroStream(oversized) }),
      },
      {
        what: `a gzip bomb (${fileBomb.gzip.length} bytes inflating to ${BOMB_BYTES}) as a file, Content-Encoding: gzip`,
        status: 400,
        code: 'MODMESH_HASH_MISMATCH',
        request: () => send(blobUrl(fileBomb.sha256), { method: 'PUT', body: fileBomb.gzip, headers: { 'content-encoding': 'gzip' } }),
      },
      {
        what: 'a gzip bomb as a manifest, Content-Encoding: gzip',
        status: 400,
        code: 'MODMESH_INVALID_JSON',
        request: () =>
          send(`${system.registryUrl}/v1/remotes/auth/releases`, {
            method: 'POST',
            body: manifestBomb.gzip,
            headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
          }),
      },
      {
        what: `a manifest over the ${MAX_JSON_BYTES}-byte JSON limit`,
        status: 413,
        code: 'MODMESH_BODY_TOO_LARGE',
        request: () => {
          const version = system.nextVersion();
          const { signed } = releaseOf(system.freshBuild(version), version, system.publisher);
          const padded = { ...signed, reason: 'x'.repeat(MAX_JSON_BYTES) };
          return send(`${system.registryUrl}/v1/remotes/auth/releases`, {
            method: 'POST',
            body: Buffer.from(JSON.stringify(padded)),
            headers: { 'content-type': 'application/json' },
          });
        },
      },
    ];
    for (const attempt of attempts) {
      tally.trial();
      tally.requests(1);
      const { status, body } = await attempt.request();
      tally.check(
        status === attempt.status && errorCode(body) === attempt.code,
        `${attempt.what}: ${status} ${errorCode(body)}, expected ${attempt.status} ${attempt.code}`,
      );
    }
    const grew = (await registryMemory()) - memoryBefore;
    tally.check(grew < BOMB_MEMORY_SLACK_BYTES, `the registry's memory grew by ${grew} bytes while refusing the bombs`);
    tally.check(readdirSync(path.join(system.dataDir, 'blobs', 'tmp')).length === 0, 'partial uploads left in the blob store');
    await unchanged(tally, before, 'after the bombs');

    // A resolve answer far over what a signed release can be, at the host.
    tally.trial();
    await againstHost(tally, 'a 64 MiB answer for the stable tag', {
      code: 'MODMESH_REMOTE_TOO_LARGE',
      metric: ['modmesh_runtime_registry_failures_total', { remote: 'auth', code: 'MODMESH_REMOTE_TOO_LARGE' }],
      attack: async () => {
        system.proxy.setFault(
          { kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.alloc(64 * 1024 * 1024, ' ') },
          { only: RESOLVES, cutOpen: true },
        );
      },
      stored: () => false,
    });
    finish(tally);
  });
});

// --- internal ---

interface ResolveAnswer {
  name: string;
  spec: string;
  version: string;
  tag: { name: string; seq: number; updatedAt: string; kind: 'move' | 'rollback' };
  release: SignedRelease;
}

interface HostAttack {
  /** The code the host must log for it. */
  code: string;
  /** The counter that must grow. */
  metric: [string, Record<string, string>];
  /** Makes the host meet the attack. */
  attack(): Promise<void>;
  /** Whether anything of the attack reached the host's cache. */
  stored(): boolean;
}

// The host meets the attack; it must log and count it, keep running what it ran, serve
// /profile, and evaluate nothing new (no canary, no file added to what ran).
async function againstHost(tally: Tally, label: string, host: HostAttack): Promise<void> {
  const mark = system.user.logs.length;
  const metricsBefore = await system.metrics();
  const healthBefore = await system.health();
  try {
    await host.attack();
    const seen = await pollUntil(
      `${label}: ${host.code} logged`,
      async () => (system.user.logs.slice(mark).some((line) => line.code === host.code || line.cause === host.code) ? true : undefined),
      { deadlineMs: NOTICE_DEADLINE_MS },
    ).catch(() => false);
    const logged = system.user.logs
      .slice(mark)
      .filter((line) => line.code)
      .map((line) => `${line.code}${line.cause ? `<-${line.cause}` : ''}`);
    tally.check(seen === true, `${label}: the host did not log ${host.code} (it logged: ${logged.join(', ') || 'nothing coded'})`);
  } finally {
    system.proxy.setFault(undefined);
  }
  const [name, labels] = host.metric;
  tally.check(counter(await system.metrics(), name, labels) > counter(metricsBefore, name, labels), `${label}: ${name}${JSON.stringify(labels)} did not grow`);

  const health = await system.health();
  const profile = await fetch(`${system.user.url}/profile`, { headers: { authorization: `Bearer ${system.token}` }, signal: AbortSignal.timeout(5000) });
  tally.requests(4);
  tally.check(
    health.validator.version === healthBefore.validator.version,
    `${label}: the host went from ${healthBefore.validator.version} to ${health.validator.version}`,
  );
  tally.check(
    JSON.stringify(health.remotes.auth?.evaluated) === JSON.stringify(healthBefore.remotes.auth?.evaluated),
    `${label}: the host evaluated ${health.remotes.auth?.evaluated}`,
  );
  tally.check(profile.status === 200, `${label}: /profile answered ${profile.status}`);
  tally.check(!existsSync(marker), `${label}: the attacker's code ran`);
  tally.check(!host.stored(), `${label}: the host cached what it refused`);
}

/** Answers the host's resolve requests with `signed` as the release the stable tag names now, and makes it ask. */
async function answerResolves(signed: unknown, version: string): Promise<void> {
  const current = (await system.api<ResolveAnswer>('GET', '/v1/remotes/auth/resolve/stable')).body;
  await replay({ name: 'auth', spec: 'stable', version, tag: { ...current.tag, seq: current.tag.seq + 1 }, release: signed as SignedRelease });
}

// The host asks again whenever its event stream reconnects: cutting the stream makes it ask now.
async function replay(answer: ResolveAnswer): Promise<void> {
  system.proxy.setFault(
    { kind: 'answer', status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(answer) },
    { only: RESOLVES, cutOpen: true },
  );
}

interface RegistrySnapshot {
  versions: string[];
  stable: string | undefined;
  moves: number;
  blobs: number;
}

async function registrySnapshot(): Promise<RegistrySnapshot> {
  const { versions, stable } = await system.published();
  const { body } = await system.api<{ history: unknown[] }>('GET', '/v1/remotes/auth/tags/stable/history?limit=1000');
  return { versions, stable, moves: body.history.length, blobs: countFiles(path.join(system.dataDir, 'blobs', 'sha256')) };
}

// Nothing added (a failure: the attack stored something) and nothing lost (data lost).
async function unchanged(tally: Tally, before: RegistrySnapshot, when: string, { blobsMayGrow = false } = {}): Promise<void> {
  const after = await registrySnapshot();
  tally.requests(2);
  const added = after.versions.filter((version) => !before.versions.includes(version));
  tally.check(added.length === 0, `${when}: releases stored: ${added.join(', ')}`);
  tally.check(after.stable === before.stable && after.moves === before.moves, `${when}: stable moved from ${before.stable} to ${after.stable}`);
  tally.check(blobsMayGrow || after.blobs === before.blobs, `${when}: ${after.blobs - before.blobs} files stored`);
  const lost = before.versions.filter((version) => !after.versions.includes(version));
  tally.lost(lost.length, `${when}: releases gone: ${lost.join(', ')}`);
}

/** The signed release of a build directory (or of files by path), as `modmesh publish` makes it. */
function releaseOf(source: string | Map<string, Buffer>, version: string, key: PublisherKeyPair): { signed: SignedRelease; files: Map<string, Buffer> } {
  const files =
    typeof source === 'string' ? new Map(readdirSync(source).map((file) => [file, readFileSync(path.join(source, file))] as const)) : new Map(source);
  return { signed: signRelease(manifestOf(files, version, readContainers(files)), key.privateKeyPem), files };
}

function manifestOf(files: Map<string, Buffer>, version: string, containers: ReleaseManifest['containers']): ReleaseManifest {
  return {
    schema: 'modmesh.release/v1',
    name: 'auth',
    version,
    files: [...files].map(([file, bytes]) => ({ path: file, size: bytes.length, sha256: sha(bytes) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    containers,
    build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: new Date().toISOString() },
  };
}

function readContainers(files: Map<string, Buffer>): ReleaseManifest['containers'] {
  return [containersFromMfManifest(JSON.parse(files.get('mf-manifest.json')!.toString('utf8')), 'node')];
}

// Signed with a real key whatever it says: signRelease would refuse to sign an unsafe path.
function signAnyway(manifest: unknown, key: PublisherKeyPair): { manifest: unknown; signature: SignedRelease['signature'] } {
  const value = sign(null, signingInput(manifest), createPrivateKey(key.privateKeyPem)).toString('base64');
  return { manifest, signature: { algorithm: 'ed25519', keyId: key.keyId, value } };
}

async function uploadAll(files: Map<string, Buffer>, token: string): Promise<void> {
  for (const bytes of files.values()) {
    const { status } = await send(`${system.registryUrl}/v1/remotes/auth/blobs/${sha(bytes)}`, { method: 'PUT', token, body: bytes });
    if (status !== 201 && status !== 200) throw new Error(`upload: HTTP ${status}`);
  }
}

function blobUrl(sha256: string): string {
  return `${system.registryUrl}/v1/remotes/auth/blobs/${sha256}`;
}

/**
 * A request with a body streamed or not, as an attacker sends it; the answer is read even when
 * the server answers (and closes) before the body is all sent.
 */
function send(
  url: string,
  options: { method: string; body: Buffer | Readable; token?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: unknown }> {
  // Its own kept-alive connection: the server then reads and drops the rest of a body it
  // refused instead of closing on it, and no later request lands on that connection.
  const agent = new http.Agent({ keepAlive: true });
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const request = http.request(url, {
      agent,
      method: options.method,
      headers: {
        authorization: `Bearer ${options.token ?? system.publishToken}`,
        'content-type': 'application/octet-stream',
        ...(Buffer.isBuffer(options.body) && { 'content-length': String(options.body.length) }),
        ...options.headers,
      },
      timeout: 60_000,
    });
    request.on('timeout', () => request.destroy(new Error(`${options.method} ${url}: no answer within 60 s`)));
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        resolve({ status: response.statusCode ?? 0, body });
        request.destroy();
      });
    });
    if (Buffer.isBuffer(options.body)) return void request.end(options.body);
    options.body.on('error', () => {});
    request.on('close', () => options.body instanceof Readable && options.body.destroy());
    options.body.pipe(request);
  }).finally(() => agent.destroy());
}

/** `size` bytes of spaces (between `prefix` and `suffix`), gzipped, and the SHA-256 of what they inflate to. */
async function gzipBomb(size: number, { prefix = '', suffix = '' } = {}): Promise<{ gzip: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  const gzip = createGzip({ level: 9 });
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const filler = Buffer.alloc(1024 * 1024, ' ');
  await pipeline(
    Readable.from(
      (function* inflated() {
        for (const part of [Buffer.from(prefix), ...Array.from({ length: size / filler.length }, () => filler), Buffer.from(suffix)]) {
          hash.update(part);
          yield part;
        }
      })(),
    ),
    gzip,
  );
  return { gzip: Buffer.concat(chunks), sha256: hash.digest('hex') };
}

function zeroStream(size: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024);
  return Readable.from(
    (function* zeros() {
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, size - sent));
    })(),
  );
}

async function registryMemory(): Promise<number> {
  const text = await (await fetch(`${system.registryUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  return counter(text, 'modmesh_registry_process_resident_memory_bytes');
}

/** `code` padded with a comment to exactly `size` bytes: a drop-in replacement on disk. */
function sameSize(code: string, size: number): Buffer {
  const padded = Buffer.alloc(size, ' ');
  padded.write(`${code}/*`);
  padded.write('*/', size - 2);
  return padded;
}

function plant(dir: string, file: string, code: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), code);
}

function cachedRelease(version: string): boolean {
  return existsSync(path.join(system.userCache, 'releases', 'auth', `${version}.json`));
}

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((total, entry) => {
    const child = path.join(dir, entry);
    return total + (statSync(child).isDirectory() ? countFiles(child) : 1);
  }, 0);
}

function findFile(dir: string, name: string, depth = 8): boolean {
  if (depth < 0 || !existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === name) return true;
    if (entry.isDirectory() && !entry.isSymbolicLink() && findFile(path.join(dir, entry.name), name, depth - 1)) return true;
  }
  return false;
}

function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } } | undefined)?.error?.code;
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function finish(tally: Tally): void {
  tally.record();
  expect(tally.problems).toEqual([]);
}
