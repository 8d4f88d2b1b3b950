import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import pg from 'pg';

export type Queryable = Pick<pg.ClientBase, 'query'>;

export interface PostgresPoolOptions {
  /** Connections this process keeps open at most. @default 10 */
  max?: number;
  /** Told about errors of idle connections (a restarted server), which would otherwise crash the process. */
  onError?: (error: Error) => void;
}

// A replica that cannot reach the database within this answers 503 instead of queueing forever.
const CONNECT_TIMEOUT_MS = 5000;
// No statement of the registry runs longer than a publish's inserts; one that does is stuck.
const STATEMENT_TIMEOUT_MS = 30_000;
const IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_POOL_SIZE = 10;

// Failures that mean "the database is not there right now", not "this statement is wrong":
// SQLSTATE classes 08 (connection), 53 (insufficient resources), 57 (operator intervention:
// shutdown, restart) and 58 (system error), and the network errors of the socket.
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53', '57', '58']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// node-postgres reports a dropped connection and a connect timeout without a code.
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i];

/** A pool of connections to one database, named in `pg_stat_activity` as the registry. */
export function createPostgresPool(url: string, options: PostgresPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: 'modmesh-registry',
  });
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/** A query on the pool, its connection failures as MODMESH_STORAGE_UNAVAILABLE. */
export async function query<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(text, values);
  } catch (error) {
    throw storageError(error);
  }
}

/**
 * Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it
 * throws. A connection that failed is destroyed, not handed back to the pool.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storageError(error);
  }
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (isUnavailable(error)) broken = error as Error;
    else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw storageError(error);
  } finally {
    client.release(broken);
  }
}

/** The error a caller sees: coded errors as they are, a lost database as MODMESH_STORAGE_UNAVAILABLE, anything else (a bug) untouched. */
export function storageError(error: unknown): unknown {
  if (isModmeshError(error) || !isUnavailable(error)) return error;
  return new ModmeshError('MODMESH_STORAGE_UNAVAILABLE', `the registry's PostgreSQL database is unavailable: ${(error as Error).message}`, { cause: error });
}

// --- internal ---

function isUnavailable(error: unknown): boolean {
  if (isModmeshError(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  const message = (error as Error | null)?.message ?? '';
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}
