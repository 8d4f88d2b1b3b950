import type { Logger } from '@modmesh/host-core';

export type { Level, Logger } from '@modmesh/host-core';

/** One JSON object per line on stdout, like every modmesh service. */
export function jsonLogger(service: string): Logger {
  return function log(level, msg, fields) {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...fields })}\n`);
  };
}
