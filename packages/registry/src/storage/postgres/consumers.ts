import type pg from 'pg';
import type { Consumer, ConsumerReport, ConsumerStore } from '../consumers.js';
import { query } from './pool.js';

/**
 * Consumer reports in the shared database (`consumers`): a host reports to whichever replica
 * its connection reaches, and every replica lists every host. One row per host instance, its
 * last report replacing the one before.
 */
export function createPostgresConsumerStore(pool: pg.Pool): ConsumerStore {
  return {
    async save(consumer) {
      const { lastSeen, ...report } = consumer;
      await query(
        pool,
        'INSERT INTO consumers (instance_id, report, last_seen) VALUES ($1, $2, $3) ON CONFLICT (instance_id) DO UPDATE SET report = excluded.report, last_seen = excluded.last_seen',
        [consumer.instanceId, JSON.stringify(report), lastSeen],
      );
    },
    async has(instanceId) {
      return ((await query(pool, 'SELECT 1 FROM consumers WHERE instance_id = $1', [instanceId])).rowCount ?? 0) > 0;
    },
    async seenSince(since) {
      const { rows } = await query<{ report: ConsumerReport; last_seen: Date }>(
        pool,
        'SELECT report, last_seen FROM consumers WHERE last_seen >= $1 ORDER BY instance_id',
        [since],
      );
      return rows.map((row): Consumer => ({ ...row.report, lastSeen: row.last_seen.toISOString() }));
    },
    async size() {
      return Number((await query<{ count: string }>(pool, 'SELECT count(*) AS count FROM consumers')).rows[0]?.count ?? 0);
    },
    async remove(instanceId) {
      await query(pool, 'DELETE FROM consumers WHERE instance_id = $1', [instanceId]);
    },
    async removeStale(before) {
      await query(pool, 'DELETE FROM consumers WHERE last_seen < $1', [before]);
    },
  };
}
