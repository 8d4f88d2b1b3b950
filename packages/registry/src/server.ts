import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import { createRegistryApp, type RegistryApp } from './app.js';
import { generateAdminToken } from './auth.js';
import type { RateLimitOptions } from './rate-limit.js';
import { createFileBlobStore } from './storage/blobs.js';
import { createSqliteMetadataStore } from './storage/sqlite.js';

export interface StartRegistryOptions {
  /** Where metadata, blobs and the generated admin token live. @default ".modmesh/registry" */
  dataDir?: string;
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
}

export interface RunningRegistry extends RegistryApp {
  url: string;
  dataDir: string;
  /** Set when the admin token was read from or generated into the data dir. */
  adminTokenFile: string | undefined;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.modmesh/registry';
const ADMIN_TOKEN_FILE = 'admin-token';
const DATABASE_FILE = 'registry.db';
const BLOB_DIR = 'blobs';
// What a start writes into a data dir: removed again when that start fails, if it made them.
const WRITTEN_AT_START = [ADMIN_TOKEN_FILE, DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, BLOB_DIR];

/**
 * Opens (or creates) a data dir and serves the registry on it. A start that fails (the port is
 * in use, the admin token is refused...) leaves the data dir as it found it: what it created
 * (the directory itself, the generated admin token, the database, the blob directory) is removed.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const existed = new Set(WRITTEN_AT_START.filter((name) => existsSync(path.join(dataDir, name))));
  const createdDir = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let metadata: ReturnType<typeof createSqliteMetadataStore> | undefined;
  try {
    return await open(dataDir, options, (store) => {
      metadata = store;
    });
  } catch (error) {
    await metadata?.close().catch(() => {});
    if (createdDir) rmSync(createdDir, { recursive: true, force: true });
    else for (const name of WRITTEN_AT_START) if (!existed.has(name)) rmSync(path.join(dataDir, name), { recursive: true, force: true });
    throw error;
  }
}

// --- internal ---

async function open(
  dataDir: string,
  options: StartRegistryOptions,
  opened: (metadata: ReturnType<typeof createSqliteMetadataStore>) => void,
): Promise<RunningRegistry> {
  const { token: adminToken, file: adminTokenFile } = resolveAdminToken(dataDir, options.adminToken ?? process.env.MODMESH_ADMIN_TOKEN);
  const metadata = createSqliteMetadataStore(path.join(dataDir, DATABASE_FILE));
  opened(metadata);
  const blobs = await createFileBlobStore(path.join(dataDir, BLOB_DIR));
  const registry = await createRegistryApp({
    metadata,
    blobs,
    adminToken,
    requireReadToken: options.requireReadToken,
    maxFileBytes: options.maxFileBytes,
    rateLimit: options.rateLimit,
    logger: options.log === false ? false : JSON_LOGS,
  });
  const { app } = registry;
  app.addHook('onClose', async () => metadata.close());

  try {
    await app.listen({ port: options.port ?? 4000, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const url = `http://${options.host ?? '127.0.0.1'}:${typeof address === 'object' && address ? address.port : options.port}`;
  // Supervisors and scripts wait for this line: it is printed at any log level.
  app.log.child({}, { level: 'info' }).info({ url, dataDir, adminTokenFile }, 'listening');
  return { ...registry, url, dataDir, adminTokenFile, close: () => app.close() };
}

// One JSON object per line, like every modmesh service: string levels, ISO times.
const JSON_LOGS = {
  level: process.env.MODMESH_LOG_LEVEL ?? 'info',
  base: { service: 'registry' },
  formatters: { level: (label: string) => ({ level: label }) },
  timestamp: () => `,"time":"${new Date().toISOString()}"`,
};

function resolveAdminToken(dataDir: string, given: string | undefined): { token: string; file: string | undefined } {
  if (given) {
    if (given.length < 16)
      throw new ModmeshError('MODMESH_USAGE', 'the admin token must be at least 16 characters', { hint: 'Leave it unset to have one generated.' });
    return { token: given, file: undefined };
  }
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file };
  const token = generateAdminToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, file };
}
