import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import { createFileBlobStore } from './blobs.js';
import type { ConsumerStore } from './consumers.js';
import { createSqliteMetadataStore } from './sqlite.js';
import type { BlobStore, MetadataStore } from './types.js';

export interface StorageOptions {
  /** A `postgres://` URL: metadata and files in PostgreSQL, shared by replicas. Otherwise the embedded storage in `dataDir`. */
  storage?: string;
  /** The embedded storage's directory: `registry.db` (SQLite) and `blobs/`. */
  dataDir: string;
  /** PostgreSQL: apply missing migrations first. @default false */
  migrate?: boolean;
  /** PostgreSQL: connections kept open at most. */
  poolSize?: number;
  onError?: (error: Error) => void;
}

export interface RegistryStorage {
  kind: 'sqlite' | 'postgres';
  metadata: MetadataStore;
  blobs: BlobStore;
  /** Hosts' reports, when the storage is shared (PostgreSQL); otherwise the registry keeps them in memory. */
  consumers?: ConsumerStore;
  /** Where it is, for logs: the directory, or the database URL without its password. */
  location: string;
  close(): Promise<void>;
}

/** Whether a storage option names PostgreSQL. */
export function isPostgresUrl(storage: string | undefined): storage is string {
  return storage !== undefined && /^postgres(ql)?:\/\//i.test(storage);
}

/**
 * Opens a registry's storage: SQLite and a blob directory by default, PostgreSQL for a
 * `postgres://` URL. PostgreSQL code (and the `pg` driver) is loaded only then.
 */
export async function openStorage(options: StorageOptions): Promise<RegistryStorage> {
  if (options.storage !== undefined && !isPostgresUrl(options.storage)) throw unknownStorage(options.storage);
  if (isPostgresUrl(options.storage)) {
    const { openPostgresStorage } = await import('./postgres/index.js');
    const storage = await openPostgresStorage(options.storage, options);
    return { kind: 'postgres', ...storage, location: redactUrl(options.storage) };
  }
  const dataDir = path.resolve(options.dataDir);
  const metadata = createSqliteMetadataStore(path.join(dataDir, 'registry.db'));
  const blobs = await createFileBlobStore(path.join(dataDir, 'blobs'));
  return { kind: 'sqlite', metadata, blobs, location: dataDir, close: () => metadata.close() };
}

/**
 * `modmesh registry migrate`: brings a PostgreSQL database up to this registry's schema. The
 * embedded SQLite storage creates and updates its schema itself when opened.
 */
export async function migrateStorage(storage: string): Promise<{ applied: number[]; version: number }> {
  if (!isPostgresUrl(storage)) throw unknownStorage(storage);
  const { migratePostgres } = await import('./postgres/index.js');
  return migratePostgres(storage);
}

/** A database URL with its password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

// --- internal ---

function unknownStorage(storage: string): ModmeshError {
  return new ModmeshError('MODMESH_USAGE', `--storage must be a postgres:// URL, not ${JSON.stringify(redactUrl(storage))}`, {
    hint: 'Give --storage postgres://USER:PASSWORD@HOST:5432/DATABASE (or MODMESH_STORAGE), or leave it out for the embedded SQLite storage in --data.',
  });
}
