export type Level = 'debug' | 'info' | 'warn' | 'error';

/** Structured logging: a message and fields; `code` is set on every failure. */
export type Logger = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

/** One JSON object per line on stdout, like every modmesh service. */
export function jsonLogger(service: string): Logger {
  return function log(level, msg, fields) {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...fields })}\n`);
  };
}
