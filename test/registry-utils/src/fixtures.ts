// Builds real signed releases and a registry on temporary storage, for the registry's tests.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generatePublisherKeyPair, type PublisherKeyPair, type ReleaseManifest, signRelease } from '@modmesh/manifest';
import {
  createFileBlobStore,
  createRegistryApp,
  createSqliteMetadataStore,
  loadOnlineSigner,
  type MetadataStore,
  type RegistryApp,
  type RegistryAppOptions,
} from '@modmesh/registry';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestRegistry extends RegistryApp {
  dir: string;
  /** Its storage, for tests that read what was committed (events, audit) without a stream. */
  metadata: MetadataStore;
  cleanup(): Promise<void>;
}

/** A registry app on a temporary SQLite store, holding an online key generated in its directory. */
export async function createTestRegistry(
  options: Pick<RegistryAppOptions, 'requireReadToken' | 'maxFileBytes' | 'maxJsonBytes' | 'rateLimit' | 'onlineExpiry' | 'requireSignedTags'> = {},
): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-registry-'));
  const metadata = createSqliteMetadataStore(path.join(dir, 'registry.db'));
  const blobs = await createFileBlobStore(path.join(dir, 'blobs'));
  const onlineSigner = await loadOnlineSigner({ dataDir: dir, generate: true });
  const registry = await createRegistryApp({ metadata, blobs, adminToken: ADMIN_TOKEN, onlineSigner, ...options });
  return {
    ...registry,
    dir,
    metadata,
    async cleanup() {
      await registry.app.close();
      await metadata.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ReleaseFixture {
  manifest: ReleaseManifest;
  files: Map<string, Buffer>;
}

/** A small but complete release: an entry and a chunk, as a Node container. */
export function releaseFixture(name: string, version: string, content = `${name}@${version}`): ReleaseFixture {
  const files = new Map([
    ['remoteEntry.js', Buffer.from(`module.exports = { name: ${JSON.stringify(content)} };`)],
    ['chunks/expose.js', Buffer.from(`exports.value = ${JSON.stringify(content)};`)],
  ]);
  const manifest: ReleaseManifest = {
    schema: 'modmesh.release/v1',
    name,
    version,
    files: [...files].map(([file, bytes]) => ({ path: file, size: bytes.length, sha256: sha256(bytes) })).sort((a, b) => a.path.localeCompare(b.path)),
    containers: [{ target: 'node', name, entry: 'remoteEntry.js', exposes: [{ name: './expose', files: ['chunks/expose.js'] }], shared: [] }],
    build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: new Date(0).toISOString() },
  };
  return { manifest, files };
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Registers a key for the remote, creates a publish token for it, and returns both. */
export async function setUpPublisher(registry: TestRegistry, name: string): Promise<{ key: PublisherKeyPair; token: string }> {
  const key = generatePublisherKeyPair();
  const trust = await registry.app.inject({ method: 'POST', url: `/v1/remotes/${name}/keys`, headers: admin(), payload: { publicKey: key.publicKey } });
  if (trust.statusCode !== 201) throw new Error(`trust: ${trust.body}`);
  const created = await registry.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { remote: name } });
  if (created.statusCode !== 201) throw new Error(`token: ${created.body}`);
  return { key, token: created.json().token };
}

export async function uploadFiles(registry: TestRegistry, name: string, token: string, files: Map<string, Buffer>): Promise<void> {
  for (const bytes of files.values()) {
    const response = await registry.app.inject({
      method: 'PUT',
      url: `/v1/remotes/${name}/blobs/${sha256(bytes)}`,
      headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
      payload: bytes,
    });
    if (response.statusCode >= 300) throw new Error(`upload: ${response.body}`);
  }
}

/** Uploads a fixture's files and publishes it, signed with `key`; returns the publish response. */
export async function publishFixture(
  registry: TestRegistry,
  fixture: ReleaseFixture,
  publisher: { key: PublisherKeyPair; token: string },
  extra: Record<string, unknown> = {},
) {
  await uploadFiles(registry, fixture.manifest.name, publisher.token, fixture.files);
  const signed = signRelease(fixture.manifest, publisher.key.privateKeyPem);
  return registry.app.inject({
    method: 'POST',
    url: `/v1/remotes/${fixture.manifest.name}/releases`,
    headers: bearer(publisher.token),
    payload: { ...signed, ...extra },
  });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function admin(): Record<string, string> {
  return bearer(ADMIN_TOKEN);
}
