// A real registry on an ephemeral loopback port, and real signed releases, for the host runtime's
// tests (they load what it serves over HTTP, as a host does).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { containersFromMfManifest, generatePublisherKeyPair, type PublisherKeyPair, type ReleaseManifest, signRelease } from '@modmesh/manifest';
import { createFileBlobStore, createRegistryApp, createSqliteMetadataStore, type RegistryApp } from '@modmesh/registry';

const ADMIN = 'runtime-test-admin-token-0123';

export interface LiveRegistry {
  url: string;
  dir: string;
  registry: RegistryApp;
  publisher: PublisherKeyPair;
  /** Publishes files as name@version (signed by `publisher` unless another key is given). */
  publish(name: string, version: string, files: Map<string, Buffer>, manifestExtra?: Partial<ReleaseManifest>, key?: PublisherKeyPair): Promise<void>;
  moveTag(name: string, tag: string, version: string): Promise<void>;
  /** Registers another publisher key for a remote. */
  trust(name: string, publicKey: string): Promise<void>;
  rollback(name: string, tag: string): Promise<void>;
  /** Stops the registry (dropping every connection) and starts it again on the same port and data; returns its URL. */
  restart(): Promise<string>;
  close(): Promise<void>;
}

export async function startLiveRegistry(remotes: readonly string[]): Promise<LiveRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-runtime-registry-'));
  const open = async (port: number) => {
    const metadata = createSqliteMetadataStore(path.join(dir, 'registry.db'));
    const registry = await createRegistryApp({ metadata, blobs: await createFileBlobStore(path.join(dir, 'blobs')), adminToken: ADMIN });
    registry.app.addHook('onClose', async () => metadata.close());
    await registry.app.listen({ port, host: '127.0.0.1' });
    return registry;
  };
  let registry = await open(0);
  const port = (registry.app.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const publisher = generatePublisherKeyPair();
  const call = async (method: string, route: string, body?: unknown, contentType = 'application/json') => {
    const response = await fetch(url + route, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': contentType },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  for (const remote of remotes) await call('POST', `/v1/remotes/${remote}/keys`, { publicKey: publisher.publicKey });

  return {
    url,
    dir,
    get registry() {
      return registry;
    },
    publisher,
    async publish(name, version, files, manifestExtra = {}, key = publisher) {
      for (const bytes of files.values()) await call('PUT', `/v1/remotes/${name}/blobs/${sha256(bytes)}`, bytes, 'application/octet-stream');
      const manifest: ReleaseManifest = {
        schema: 'modmesh.release/v1',
        name,
        version,
        files: [...files].map(([file, bytes]) => ({ path: file, size: bytes.length, sha256: sha256(bytes) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
        containers: [{ target: 'node', name, entry: 'remoteEntry.js', exposes: [], shared: [] }],
        build: { bundler: 'hand-written', bundlerVersion: '1', createdAt: new Date().toISOString() },
        ...manifestExtra,
      };
      await call('POST', `/v1/remotes/${name}/releases`, signRelease(manifest, key.privateKeyPem));
    },
    async moveTag(name, tag, version) {
      const tags = (await call('GET', `/v1/remotes/${name}/tags`)).tags as { tag: string; version: string }[];
      await call('PUT', `/v1/remotes/${name}/tags/${tag}`, { version, expect: tags.find((entry) => entry.tag === tag)?.version ?? null });
    },
    async trust(name, publicKey) {
      await call('POST', `/v1/remotes/${name}/keys`, { publicKey });
    },
    async rollback(name, tag) {
      await call('POST', `/v1/remotes/${name}/tags/${tag}/rollback`, {});
    },
    async restart() {
      await registry.app.close();
      registry = await open(port);
      return url;
    },
    async close() {
      await registry.app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A hand-written Module Federation container (the protocol: `init(shareScope)` and
 * `get(expose)` resolving to a factory) exposing `./greeter` with the given source as its
 * module body. Small and fast: what swap tests need, no bundler involved.
 */
export function greeterRelease(moduleBody: string, entryPrefix = ''): Map<string, Buffer> {
  return new Map([
    [
      'remoteEntry.js',
      Buffer.from(`${entryPrefix}
const modules = { './greeter': () => { const exports = {}; ${moduleBody}; return exports; } };
module.exports = {
  init() {},
  get(expose) {
    const factory = modules[expose];
    if (!factory) return Promise.reject(new Error('Module "' + expose + '" does not exist in container.'));
    return Promise.resolve(factory);
  },
};`),
    ],
  ]);
}

/** The files of a real build directory, and its container metadata from mf-manifest.json. */
export function buildRelease(dir: string): { files: Map<string, Buffer>; containers: ReleaseManifest['containers'] } {
  const files = new Map<string, Buffer>();
  for (const file of readdirSync(dir)) if (statSync(path.join(dir, file)).isFile()) files.set(file, readFileSync(path.join(dir, file)));
  const mf = JSON.parse((files.get('mf-manifest.json') as Buffer).toString('utf8'));
  return { files, containers: [containersFromMfManifest(mf, 'node')] };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
