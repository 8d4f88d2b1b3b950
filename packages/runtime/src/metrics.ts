export interface Metrics {
  inc(name: MetricName, labels: Record<string, string>, by?: number): void;
  /** Prometheus text exposition of every counter. */
  text(): string;
}

export type MetricName = keyof typeof HELP;

const HELP = {
  modmesh_runtime_loads_total: 'Releases loaded by remote, source (registry, cache) and result',
  modmesh_runtime_swaps_total: 'Live swaps by remote and result (swapped, or the refusal code)',
  modmesh_runtime_verification_failures_total: 'Releases or files refused by signature or hash check, by remote and code',
  modmesh_runtime_registry_failures_total: 'Requests to the registry for releases and files that failed (unreachable, timeout, bad answer), by remote and code',
  modmesh_runtime_fallbacks_total: 'Imports answered by a fallback module, by remote',
  modmesh_runtime_event_stream_disconnects_total: 'Drops of the registry event stream',
} as const;

/** Counters with labels, no dependencies: what a host needs to expose on its own /metrics. */
export function createMetrics(): Metrics {
  const counters = new Map<string, number>();
  return {
    inc(name, labels, by = 1) {
      const key = `${name}{${Object.entries(labels)
        .map(([label, value]) => `${label}="${value.replace(/["\\\n]/g, '_')}"`)
        .join(',')}}`;
      counters.set(key, (counters.get(key) ?? 0) + by);
    },
    text() {
      const lines: string[] = [];
      for (const [name, help] of Object.entries(HELP)) {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
        for (const [key, value] of counters) if (key.startsWith(`${name}{`)) lines.push(`${key} ${value}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
