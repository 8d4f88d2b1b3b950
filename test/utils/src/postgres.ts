import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The one variable through which tests find PostgreSQL: a URL of a role that may CREATE DATABASE. */
export const POSTGRES_URL_VARIABLE = 'MODMESH_TEST_POSTGRES_URL';

/** What installs and starts PostgreSQL on 127.0.0.1:5432 (as `.ci/run` does), then points the tests at it. */
export const POSTGRES_SETUP = `apt-get install -y postgresql && bash .ci/postgres.sh start 5432 && export ${POSTGRES_URL_VARIABLE}=postgres://postgres@127.0.0.1:5432/postgres`;

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can. In CI a missing database is
 * a failure, not a skip: those tests must run there.
 */
export function postgresUnavailable(): string | undefined {
  if (process.env[POSTGRES_URL_VARIABLE]) return undefined;
  const message = `PostgreSQL tests need ${POSTGRES_URL_VARIABLE}; install and start PostgreSQL with: ${POSTGRES_SETUP}`;
  if (process.env.CI) throw new Error(message);
  return message;
}

export interface TestDatabase {
  /** A URL of the new, empty database. */
  url: string;
  /** Ends every connection to it and drops it. */
  drop(): Promise<void>;
}

/**
 * A database of its own for one test (CREATE DATABASE with a random name), so tests run in
 * parallel on one server; `drop()` removes it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env[POSTGRES_URL_VARIABLE];
  if (!base) throw new Error(postgresUnavailable() ?? `${POSTGRES_URL_VARIABLE} is not set`);
  const name = `modmesh_test_${randomBytes(6).toString('hex')}`;
  await admin(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      // WITH (FORCE): a registry process killed by the test may have left connections behind.
      await admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

// --- internal ---

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
