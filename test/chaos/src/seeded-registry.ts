// A real registry (SQLite + blob directory, HTTP on 127.0.0.1, port 0) in this process, with
// releases published through its API, and a byte-level snapshot of everything it stores: for
// attacks that must change nothing, and races whose every effect must be accounted for.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePublisherKeyPair, type PublisherKeyPair, type ReleaseManifest, type SignedRelease, signRelease } from '@modmesh/manifest';
import { type RateLimitOptions, startRegistry } from '@modmesh/registry';
import { type JsonResponse, requestJson } from '@modmesh/test-utils';
import Database from 'better-sqlite3';

export interface SeededRegistry {
  url: string;
  dataDir: string;
  admin: string;
  publisher: PublisherKeyPair;
  /** Every signed release as it was published, by `name@version`. */
  releases: Map<string, SignedRelease>;
  /** The SHA-256 of every file uploaded. */
  blobs: string[];
  /** A JSON request to the API, with the admin token unless another is given (`null`: none). */
  api<T = Record<string, unknown>>(method: string, route: string, body?: unknown, token?: string | null): Promise<JsonResponse<T>>;
  /** Uploads a small release's files, publishes it signed by `publisher`, optionally moving `tag` to it. */
  publish(name: string, version: string, tag?: string): Promise<void>;
  /** The same with `token` (the admin's by default), answering with the publish's response instead of throwing. */
  attemptPublish(name: string, version: string, options?: { tag?: string; token?: string }): Promise<JsonResponse>;
  /** A token created by the admin: `publish` for one remote, or `read`. */
  createToken(role: 'publish' | 'read', remote?: string): Promise<{ token: string; id: string }>;
  close(): Promise<void>;
}

export const ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdef';

export async function startSeededRegistry(options: { remotes: string[]; rateLimit?: RateLimitOptions | false }): Promise<SeededRegistry> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-chaos-registry-'));
  const running = await startRegistry({ dataDir, port: 0, host: '127.0.0.1', adminToken: ADMIN_TOKEN, log: false, rateLimit: options.rateLimit });
  const publisher = generatePublisherKeyPair();
  const releases = new Map<string, SignedRelease>();
  const blobs: string[] = [];

  const api = <T>(method: string, route: string, body?: unknown, token: string | null = ADMIN_TOKEN) =>
    requestJson<T>(`${running.url}${route}`, { method, json: body, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const expectOk = async <T>(response: Promise<JsonResponse<T>>, what: string): Promise<T> => {
    const { status, body } = await response;
    if (status >= 300) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
    return body;
  };
  for (const name of options.remotes) await expectOk(api('POST', `/v1/remotes/${name}/keys`, { publicKey: publisher.publicKey }), `trust a key for ${name}`);

  async function attemptPublish(name: string, version: string, { tag, token = ADMIN_TOKEN }: { tag?: string; token?: string } = {}): Promise<JsonResponse> {
    const files = releaseFiles(name, version);
    for (const [file, bytes] of files) {
      const sha256 = sha256Of(bytes);
      const response = await fetch(`${running.url}/v1/remotes/${name}/blobs/${sha256}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      if (response.status >= 300) throw new Error(`upload ${file}: HTTP ${response.status} ${await response.text()}`);
      blobs.push(sha256);
    }
    const signed = signRelease(manifestOf(name, version, files), publisher.privateKeyPem);
    const answer = await api('POST', `/v1/remotes/${name}/releases`, { ...signed, ...(tag && { tag }) }, token);
    if (answer.status === 201) releases.set(`${name}@${version}`, signed);
    return answer;
  }

  return {
    url: running.url,
    dataDir,
    admin: ADMIN_TOKEN,
    publisher,
    releases,
    blobs,
    api,
    attemptPublish,
    async publish(name, version, tag) {
      await expectOk(attemptPublish(name, version, { tag }), `publish ${name}@${version}`);
    },
    createToken: (role, remote) => expectOk(api<{ token: string; id: string }>('POST', '/v1/tokens', { role, remote }), `create a ${role} token`),
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Everything the registry stores, item by item: every row of every SQLite table and every file
 * under the data dir's blob directory (temporary files included), each with its exact content.
 * Bookkeeping of requests is left out: the audit log (it records every use of a publish or admin
 * token, refused ones too) and when each token was last used.
 */
export function snapshotState(dataDir: string): Map<string, string> {
  const state = new Map<string, string>();
  const db = new Database(path.join(dataDir, 'registry.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    for (const { name } of tables) {
      if (name === 'audit') continue;
      const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
      for (const row of rows) {
        const { last_used_at: _used, ...kept } = row;
        const text = JSON.stringify(name === 'tokens' ? kept : row);
        state.set(`${name} ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text);
      }
      state.set(`${name} (rows)`, String(rows.length));
    }
  } finally {
    db.close();
  }
  const blobDir = path.join(dataDir, 'blobs');
  for (const file of readdirSync(blobDir, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const full = path.join(file.parentPath, file.name);
    state.set(`file ${path.relative(blobDir, full)}`, sha256Of(readFileSync(full)));
  }
  return state;
}

/** What differs between two snapshots: one line per item added, removed or changed. */
export function diffStates(before: Map<string, string>, after: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of before) {
    if (!after.has(key)) problems.push(`gone: ${key} ${value.slice(0, 200)}`);
    else if (after.get(key) !== value) problems.push(`changed: ${key}`);
  }
  for (const [key, value] of after) if (!before.has(key)) problems.push(`added: ${key} ${value.slice(0, 200)}`);
  return problems;
}

// --- internal ---

function sha256Of(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function releaseFiles(name: string, version: string): Map<string, Buffer> {
  return new Map([
    ['remoteEntry.js', Buffer.from(`module.exports = { name: ${JSON.stringify(`${name}@${version}`)} };`)],
    ['chunks/expose.js', Buffer.from(`exports.value = ${JSON.stringify(`${name}@${version}`)};`)],
  ]);
}

function manifestOf(name: string, version: string, files: Map<string, Buffer>): ReleaseManifest {
  return {
    schema: 'modmesh.release/v1',
    name,
    version,
    files: [...files].map(([file, bytes]) => ({ path: file, size: bytes.length, sha256: sha256Of(bytes) })).sort((a, b) => a.path.localeCompare(b.path)),
    containers: [{ target: 'node', name, entry: 'remoteEntry.js', exposes: [{ name: './expose', files: ['chunks/expose.js'] }], shared: [] }],
    build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: new Date(0).toISOString() },
  };
}
