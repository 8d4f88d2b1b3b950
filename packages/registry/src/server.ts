import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import { createRegistryApp, type RegistryApp } from './app.js';
import { generateAdminToken } from './auth.js';
import type { RateLimitOptions } from './rate-limit.js';
import { isPostgresUrl, openStorage, type RegistryStorage } from './storage/open.js';
import type { OnlineExpiry } from './tuf/online.js';
import { loadOnlineSigner, ONLINE_KEY_FILE } from './tuf/online-key.js';

export interface StartRegistryOptions {
  /** Where metadata, blobs and the generated admin token live (embedded storage). @default ".modmesh/registry" */
  dataDir?: string;
  /**
   * A `postgres://` URL: metadata and files in PostgreSQL, shared by any number of replicas
   * (the admin token must then be given). @default the embedded SQLite storage in `dataDir`
   */
  storage?: string;
  /** PostgreSQL: apply missing schema migrations at start instead of refusing. @default false */
  migrate?: boolean;
  /** @default 4000 */
  port?: number;
  /** @default "127.0.0.1": nothing listens beyond loopback unless asked. */
  host?: string;
  /** The admin token; otherwise MODMESH_ADMIN_TOKEN, otherwise `<dataDir>/admin-token`, generated on first start. */
  adminToken?: string;
  requireReadToken?: boolean;
  maxFileBytes?: number;
  /** Write budgets per publish token and unknown-token budget per client address; false turns them off. @default DEFAULT_RATE_LIMITS */
  rateLimit?: RateLimitOptions | false;
  /** Structured JSON logs on stdout. @default true */
  log?: boolean;
  /**
   * The online key files (PKCS#8 PEM) for timestamp and snapshot; otherwise MODMESH_ONLINE_KEY_FILE
   * (comma-separated), otherwise `<dataDir>/online-key` (and `online-key.next`), generated on the
   * first start of an embedded registry. On PostgreSQL a replica has none unless given.
   */
  onlineKeyFiles?: string[];
  /** Timestamp and snapshot lifetimes and renewal windows, in seconds. @default DEFAULT_ONLINE_EXPIRY */
  onlineExpiry?: Partial<OnlineExpiry>;
  /** Refuse every legacy write: root mode only (`--require-signed-tags`). @default false */
  requireSignedTags?: boolean;
}

export interface RunningRegistry extends RegistryApp {
  url: string;
  dataDir: string;
  /** Which storage it runs on, and where (a database URL without its password). */
  storage: { kind: RegistryStorage['kind']; location: string };
  /** Set when the admin token was read from or generated into the data dir. */
  adminTokenFile: string | undefined;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.modmesh/registry';
const ADMIN_TOKEN_FILE = 'admin-token';

// What a start writes into an embedded data dir (storage/open.ts names the database and blob
// directory): removed again when that start fails, if it made them.
const WRITTEN_AT_START = [ADMIN_TOKEN_FILE, ONLINE_KEY_FILE, 'registry.db', 'registry.db-wal', 'registry.db-shm', 'blobs'];

/**
 * Opens (or creates) a data dir, or a PostgreSQL database, and serves the registry on it. A
 * start that fails (the port is in use, the admin token is refused...) leaves an embedded data
 * dir as it found it: what it created (the directory itself, the generated admin token, the
 * database, the blob directory) is removed.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const shared = isPostgresUrl(options.storage);
  if (shared) return open(dataDir, options, true);
  const existed = new Set(WRITTEN_AT_START.filter((name) => existsSync(path.join(dataDir, name))));
  const createdDir = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return await open(dataDir, options, false);
  } catch (error) {
    if (createdDir) rmSync(createdDir, { recursive: true, force: true });
    else for (const name of WRITTEN_AT_START) if (!existed.has(name)) rmSync(path.join(dataDir, name), { recursive: true, force: true });
    throw error;
  }
}

// --- internal ---

async function open(dataDir: string, options: StartRegistryOptions, shared: boolean): Promise<RunningRegistry> {
  const { token: adminToken, file: adminTokenFile } = resolveAdminToken(dataDir, options.adminToken ?? process.env.MODMESH_ADMIN_TOKEN, shared);
  let registry: RegistryApp | undefined;
  const storage = await openStorage({
    storage: options.storage,
    dataDir,
    migrate: options.migrate,
    // An idle connection that the server dropped: the pool replaces it; worth a line in the log.
    onError: (error) => registry?.app.log.warn({ err: error }, 'storage connection lost'),
  });
  const { metadata, blobs } = storage;
  const keyFiles = options.onlineKeyFiles ?? process.env.MODMESH_ONLINE_KEY_FILE?.split(',').map((file) => file.trim());
  const onlineSigner = await loadOnlineSigner({ dataDir: shared ? undefined : dataDir, files: keyFiles, generate: !shared }).catch(async (error: unknown) => {
    await storage.close();
    throw error;
  });
  registry = await createRegistryApp({
    metadata,
    blobs,
    consumers: storage.consumers,
    adminToken,
    requireReadToken: options.requireReadToken,
    maxFileBytes: options.maxFileBytes,
    rateLimit: options.rateLimit,
    logger: options.log === false ? false : JSON_LOGS,
    onlineSigner,
    onlineExpiry: options.onlineExpiry,
    requireSignedTags: options.requireSignedTags,
  }).catch(async (error: unknown) => {
    // Nothing else would close the connections (or the SQLite file) that were opened.
    await storage.close();
    throw error;
  });
  const { app } = registry;
  app.addHook('onClose', async () => storage.close());

  try {
    await checkOnlineKey(registry);
    await app.listen({ port: options.port ?? 4000, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    // Closes the storage too (onClose), so a failed start leaves no file open behind it.
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const url = `http://${options.host ?? '127.0.0.1'}:${typeof address === 'object' && address ? address.port : options.port}`;
  // Supervisors and scripts wait for this line: it is printed at any log level.
  app.log
    .child({}, { level: 'info' })
    .info({ url, storage: storage.kind, location: storage.location, adminTokenFile, onlineKeys: onlineSigner.source }, 'listening');
  return { ...registry, url, dataDir, storage: { kind: storage.kind, location: storage.location }, adminTokenFile, close: () => app.close() };
}

// A root of trust naming online keys this registry does not hold: it could sign no timestamp, and
// every host would go stale within the hour. Refused at start (MODMESH_ONLINE_KEY_MISSING); a
// registry down for a while renews what expired meanwhile before it listens.
async function checkOnlineKey(registry: RegistryApp): Promise<void> {
  const missing = (await registry.tuf.status()).problems.find((problem) => problem.code === 'MODMESH_ONLINE_KEY_MISSING');
  if (missing) throw new ModmeshError('MODMESH_ONLINE_KEY_MISSING', missing.message);
  await registry.tuf.renewal.renewIfDue().catch((error: unknown) => registry.app.log.warn({ err: error }, 'TUF renewal at start failed; retrying'));
}

// One JSON object per line, like every modmesh service: string levels, ISO times.
const JSON_LOGS = {
  level: process.env.MODMESH_LOG_LEVEL ?? 'info',
  base: { service: 'registry' },
  formatters: { level: (label: string) => ({ level: label }) },
  timestamp: () => `,"time":"${new Date().toISOString()}"`,
};

function resolveAdminToken(dataDir: string, given: string | undefined, shared: boolean): { token: string; file: string | undefined } {
  if (given) {
    if (given.length < 16)
      throw new ModmeshError('MODMESH_USAGE', 'the admin token must be at least 16 characters', { hint: 'Leave it unset to have one generated.' });
    return { token: given, file: undefined };
  }
  // Replicas share one database and no directory: a token generated by one would be unknown to the others.
  if (shared) {
    throw new ModmeshError('MODMESH_USAGE', 'a registry on PostgreSQL needs its admin token given (every replica uses the same one)', {
      hint: 'Set MODMESH_ADMIN_TOKEN (at least 16 characters; from a Kubernetes Secret in deploy/) or pass --admin-token.',
    });
  }
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file };
  const token = generateAdminToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, file };
}
