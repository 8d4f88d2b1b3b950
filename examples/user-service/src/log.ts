export type Level = 'debug' | 'info' | 'warn' | 'error';

export type Logger = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

/** Structured logs: one JSON object per line on stdout, with the service's name and a time. */
export function createLogger(service: string, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return function log(level, msg, fields) {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...fields })}\n`);
  };
}
