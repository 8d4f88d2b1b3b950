import type { RegistryEvent } from '../types.js';
import type { Queryable } from './pool.js';

/** The channel every replica LISTENs on; the payload is the newest event id (a hint only). */
export const EVENTS_CHANNEL = 'modmesh_events';
/**
 * Every write that appends events holds this advisory lock until it commits. Writes are rare
 * (publishes and tag moves), and holding it makes event ids increase in commit order across
 * every replica: a replica reading "events after n" can never see n+2 committed before n+1 and
 * skip n+1 for good. It also makes compare-and-swap on tags plain: the transaction that reads a
 * tag is the only writer until it commits.
 */
export const WRITE_LOCK = 7_310_001;

/** Appends one event (inside the caller's transaction, which holds WRITE_LOCK). */
export async function appendEvent(client: Queryable, type: RegistryEvent['type'], data: RegistryEvent['data'], at: string): Promise<RegistryEvent> {
  const { rows } = await client.query<{ id: string }>('INSERT INTO events (type, data, at) VALUES ($1, $2, $3) RETURNING id', [type, JSON.stringify(data), at]);
  return { id: Number(rows[0]?.id), type, data, at } as RegistryEvent;
}

// Delivered by PostgreSQL only when (and if) the transaction commits.
export async function notify(client: Queryable, events: RegistryEvent[]): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, String(events.at(-1)?.id ?? '')]);
}
