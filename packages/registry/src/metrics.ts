import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface RegistryMetrics {
  registry: Registry;
  requests: Histogram<'method' | 'route' | 'status'>;
  publishes: Counter<'result'>;
  tagMoves: Counter<'kind'>;
  blobBytesServed: Counter;
  blobBytesStored: Counter;
  eventClients: Gauge;
}

/** Prometheus metrics of one registry instance (its own prom-client registry, no globals). */
export function createMetrics(eventClients: () => number): RegistryMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'modmesh_registry_' });
  return {
    registry,
    requests: new Histogram({
      name: 'modmesh_registry_http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    publishes: new Counter({
      name: 'modmesh_registry_publishes_total',
      help: 'Release publishes by result (published, or the error code)',
      labelNames: ['result'],
      registers: [registry],
    }),
    tagMoves: new Counter({
      name: 'modmesh_registry_tag_moves_total',
      help: 'Tag moves by kind (move, rollback)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    blobBytesServed: new Counter({ name: 'modmesh_registry_blob_bytes_served_total', help: 'Bytes of release files served', registers: [registry] }),
    blobBytesStored: new Counter({ name: 'modmesh_registry_blob_bytes_stored_total', help: 'Bytes of new release files stored', registers: [registry] }),
    eventClients: new Gauge({
      name: 'modmesh_registry_event_clients',
      help: 'Connected Server-Sent Events clients',
      registers: [registry],
      collect() {
        this.set(eventClients());
      },
    }),
  };
}
