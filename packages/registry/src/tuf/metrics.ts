import type { TufStatus } from '@modmesh/api';
import { Gauge, type Registry } from 'prom-client';

/** `modmesh_registry_tuf_expires_in_seconds{role}`: every TUF document's time left, read when scraped. */
export function registerTufMetrics(registry: Registry, status: () => Promise<TufStatus>): void {
  new Gauge({
    name: 'modmesh_registry_tuf_expires_in_seconds',
    help: 'Seconds until each TUF document expires, by role (negative: expired); the registry renews timestamp and snapshot itself',
    labelNames: ['role'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [role, document] of Object.entries((await status()).documents)) this.set({ role }, document.expiresInSeconds);
    },
  });
}
