// The web shell process: serves the page on 127.0.0.1:8080 (SHELL_PORT, SHELL_HOST) until
// SIGINT/SIGTERM. See README.md for the environment it reads.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readShellConfig, ShellConfigError } from './config.js';
import { createShellServer } from './server.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../app');

function log(level: string, msg: string, fields?: object): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, service: 'web-shell', msg, ...fields })}\n`);
}

try {
  const config = readShellConfig(process.env, appDir);
  const server = createShellServer(config, log);
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log('info', 'listening', { url: `http://${config.host}:${port}`, registry: config.registry, remotes: config.remotes });
  });
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  if (!(error instanceof ShellConfigError)) throw error;
  log('error', error.message, { code: error.code });
  process.exitCode = 1;
}
