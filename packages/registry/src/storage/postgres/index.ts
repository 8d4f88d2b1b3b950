import type { ConsumerStore } from '../consumers.js';
import type { BlobStore, MetadataStore } from '../types.js';
import { createPostgresBlobStore } from './blobs.js';
import { createPostgresConsumerStore } from './consumers.js';
import { createPostgresMetadataStore } from './metadata.js';
import { checkSchema, migrate, SCHEMA_VERSION } from './migrations.js';
import { createPostgresPool } from './pool.js';
import { backfillDocuments } from './tuf.js';

export interface PostgresStorageOptions {
  /** Apply missing migrations first instead of refusing an old schema. @default false */
  migrate?: boolean;
  /** Connections this process keeps open at most (plus one for LISTEN). @default 10 */
  poolSize?: number;
  onError?: (error: Error) => void;
}

export interface PostgresStorage {
  metadata: MetadataStore;
  blobs: BlobStore;
  consumers: ConsumerStore;
  close(): Promise<void>;
}

export { SCHEMA_VERSION };

/**
 * Metadata and release files in one PostgreSQL database, for any number of registry processes.
 * Refuses (MODMESH_STORAGE_SCHEMA) a database whose schema is not the one this code runs on.
 */
export async function openPostgresStorage(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
  const pool = createPostgresPool(url, { max: options.poolSize, onError: options.onError });
  try {
    if (options.migrate) await migrate(pool);
    await checkSchema(pool);
    await backfillDocuments(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const metadata = createPostgresMetadataStore(pool, { url, onError: options.onError });
  return { metadata, blobs: createPostgresBlobStore(pool), consumers: createPostgresConsumerStore(pool), close: () => metadata.close() };
}

/** Brings the database's schema up to this code's version; returns the versions applied. */
export async function migratePostgres(url: string): Promise<{ applied: number[]; version: number }> {
  const pool = createPostgresPool(url, { max: 1 });
  try {
    return { applied: await migrate(pool), version: SCHEMA_VERSION };
  } finally {
    await pool.end();
  }
}
