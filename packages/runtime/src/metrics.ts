export interface Metrics {
  inc(name: MetricName, labels: Record<string, string>, by?: number): void;
  /** Sets a gauge (a value that goes up and down). */
  gauge(name: MetricName, labels: Record<string, string>, value: number): void;
  /** Prometheus text exposition of every metric. */
  text(): string;
}

export type MetricName = keyof typeof METRICS;

const METRICS = {
  modmesh_runtime_loads_total: ['counter', 'Releases loaded by remote, source (registry, cache) and result'],
  modmesh_runtime_swaps_total: ['counter', 'Live swaps by remote and result (swapped, or the refusal code)'],
  modmesh_runtime_verification_failures_total: ['counter', 'Releases or files refused by signature or hash check, by remote and code'],
  modmesh_runtime_registry_failures_total: [
    'counter',
    'Requests to the registry for releases and files that failed (unreachable, timeout, bad answer), by remote and code',
  ],
  modmesh_runtime_fallbacks_total: ['counter', 'Imports answered by a fallback module, by remote'],
  modmesh_runtime_event_stream_disconnects_total: ['counter', 'Drops of the registry event stream'],
  modmesh_runtime_trust_failures_total: ['counter', "Update cycles of the registry's TUF metadata that failed, by code (a host with a root)"],
  modmesh_runtime_trust_stale: ['gauge', '1 while the trusted metadata a remote depends on has expired (the host still serves what it verified), else 0'],
  modmesh_runtime_trust_stale_seconds: ['gauge', 'How long the trusted metadata a remote depends on has been expired, in seconds'],
} as const satisfies Record<string, readonly ['counter' | 'gauge', string]>;

/** Counters and gauges with labels, no dependencies: what a host needs to expose on its own /metrics. */
export function createMetrics(): Metrics {
  const values = new Map<string, number>();
  const keyOf = (name: string, labels: Record<string, string>): string =>
    `${name}{${Object.entries(labels)
      .map(([label, value]) => `${label}="${value.replace(/["\\\n]/g, '_')}"`)
      .join(',')}}`;
  return {
    inc(name, labels, by = 1) {
      const key = keyOf(name, labels);
      values.set(key, (values.get(key) ?? 0) + by);
    },
    gauge(name, labels, value) {
      values.set(keyOf(name, labels), value);
    },
    text() {
      const lines: string[] = [];
      for (const [name, [type, help]] of Object.entries(METRICS)) {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [key, value] of values) if (key.startsWith(`${name}{`)) lines.push(`${key} ${value}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
