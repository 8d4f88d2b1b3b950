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

/** A connection checked out of the pool, watched for being lost while it is used. */
export interface Connection {
  client: pg.PoolClient;
  /** The coded error for a failure on this connection: MODMESH_STORAGE_UNAVAILABLE if the connection was lost. */
  failure(error: unknown): unknown;
  /** Hands the connection back, or destroys it when it was lost (or `broken` says it cannot be reused). */
  release(broken?: Error): void;
}

/**
 * Checks a connection out: a failure to connect is MODMESH_STORAGE_UNAVAILABLE unless the
 * server refused it for a reason of its own (a SQLSTATE such as a wrong password). node-postgres
 * reports a connect timeout and a connection dropped while connecting as plain errors without a
 * code, so where it failed is what classifies it, never its message.
 */
export async function checkout(pool: pg.Pool): Promise<Connection> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw isCoded(error) || error instanceof TypeError ? storageError(error) : unavailable(error);
  }
  // node-postgres emits `error` on the client when its connection breaks, before it fails the
  // query in flight with a plain "Connection terminated" error.
  let lost: Error | undefined;
  const onLost = (error: Error): void => {
    lost ??= error;
  };
  client.on('error', onLost);
  return {
    client,
    failure: (error) => (lost && !isModmeshError(error) ? unavailable(error) : storageError(error)),
    release(broken) {
      client.off('error', onLost);
      client.release(lost ?? broken);
    },
  };
}

/** A query on its own connection, its connection failures as MODMESH_STORAGE_UNAVAILABLE. */
export async function query<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  const connection = await checkout(pool);
  try {
    return await connection.client.query<R>(text, values);
  } catch (error) {
    throw connection.failure(error);
  } finally {
    connection.release();
  }
}

/**
 * Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it
 * throws. A connection that failed is destroyed, not handed back to the pool.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const connection = await checkout(pool);
  const { client } = connection;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    const coded = connection.failure(error);
    if (isModmeshError(coded) && coded.code === 'MODMESH_STORAGE_UNAVAILABLE') broken = error as Error;
    else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw coded;
  } finally {
    connection.release(broken);
  }
}

/**
 * The error a caller sees, by its code: coded errors as they are, a SQLSTATE or socket error that
 * means the database is not there as MODMESH_STORAGE_UNAVAILABLE, anything else (a bug) untouched.
 */
export function storageError(error: unknown): unknown {
  if (isModmeshError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  const gone = error instanceof pg.DatabaseError ? UNAVAILABLE_SQLSTATE_CLASSES.has(code.slice(0, 2)) : UNAVAILABLE_NODE_CODES.has(code);
  return gone ? unavailable(error) : error;
}

// --- internal ---

function unavailable(error: unknown): ModmeshError {
  return new ModmeshError('MODMESH_STORAGE_UNAVAILABLE', `the registry's PostgreSQL database is unavailable: ${(error as Error).message}`, { cause: error });
}

/** Whether an error carries a code of its own (a SQLSTATE, a socket's errno, a modmesh code). */
function isCoded(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}
