import { existsSync } from 'node:fs';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import type { CommandSpec, OptionSpec, ParsedArgs } from '../args.js';
import { LOCAL_DATA_DIR } from '../connect.js';
import type { CliContext } from '../output.js';
import { loadRegistry } from './registry-module.js';

// Either one stops the registry cleanly: Ctrl-C in a terminal, SIGTERM from a supervisor.
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
// Errors from listen() that are the user's to fix, not bugs.
const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'is already in use',
  EACCES: 'may not be used by this user',
  EADDRNOTAVAIL: 'is not an address of this machine',
};

/** Where a registry's data is when it is not the embedded directory: shared by every registry command. */
export const STORAGE_OPTION: OptionSpec = {
  type: 'string',
  value: 'URL',
  env: 'MODMESH_STORAGE',
  description: 'a postgres:// URL: keep everything in PostgreSQL instead of --data (SQLite and a file directory)',
};

export const registryStartCommand: CommandSpec = {
  name: 'registry start',
  summary: 'run a registry on this machine',
  arguments: '',
  description: [
    'Serves the modmesh registry (packages/registry/README.md) from a data directory: SQLite for',
    'metadata and a content-addressed directory for files. Logs JSON lines on stdout. On first start',
    'it generates an admin token into DATA/admin-token (readable by you only) unless one is given.',
    'With --storage postgres://... it keeps everything in PostgreSQL instead, and any number of',
    'replicas can share that database (the admin token must then be given; migrate the schema first',
    'with `modmesh registry migrate`, or pass --migrate). Stops cleanly on Ctrl-C or SIGTERM.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'PORT', default: '4000', description: 'the port to listen on; 0 picks a free one' },
    host: { type: 'string', value: 'HOST', default: '127.0.0.1', description: 'the address to listen on (only loopback unless asked)' },
    data: { type: 'string', value: 'DIR', default: LOCAL_DATA_DIR, description: 'where metadata, files and the admin token live' },
    storage: STORAGE_OPTION,
    migrate: { type: 'boolean', description: 'with --storage: apply missing schema migrations first instead of refusing to start' },
    'admin-token': {
      type: 'string',
      value: 'TOKEN',
      env: 'MODMESH_ADMIN_TOKEN',
      description: 'the admin token (at least 16 characters) instead of a generated one',
    },
    'require-read-token': { type: 'boolean', description: 'reads need a token too' },
    'max-file-size': { type: 'string', value: 'BYTES', description: 'the largest release file accepted (default 32 MiB)' },
    'rate-limit-blobs': { type: 'string', value: 'N', description: 'file uploads a publish token may make per minute (default 1200)' },
    'rate-limit-releases': { type: 'string', value: 'N', description: 'releases a publish token may publish per minute (default 60)' },
    'rate-limit-tags': { type: 'string', value: 'N', description: 'tag moves and rollbacks a publish token may make per minute (default 120)' },
    'rate-limit-auth-failures': { type: 'string', value: 'N', description: 'requests with unknown tokens a client address may make per minute (default 30)' },
    'no-rate-limit': { type: 'boolean', description: 'no rate limits at all (answering 429 MODMESH_RATE_LIMITED is then left to a proxy)' },
    'online-key-file': {
      type: 'string',
      value: 'FILE',
      multiple: true,
      description:
        'the online key (PKCS#8 PEM) for timestamp and snapshot; env MODMESH_ONLINE_KEY_FILE (comma-separated) (default: DATA/online-key, made on first start)',
    },
    'timestamp-expiry': { type: 'string', value: 'SECONDS', description: 'how long a timestamp is valid (default 3600)' },
    'timestamp-renew-before': { type: 'string', value: 'SECONDS', description: 'renew the timestamp when less than this is left (default 1800)' },
    'snapshot-expiry': { type: 'string', value: 'SECONDS', description: 'how long a snapshot is valid (default 604800)' },
    'snapshot-renew-before': { type: 'string', value: 'SECONDS', description: 'renew the snapshot when less than this is left (default 86400)' },
    'require-signed-tags': {
      type: 'boolean',
      description: 'root mode only: refuse unsigned publishes and tag moves, and registered keys (closes the migration)',
    },
  },
  examples: [
    'modmesh registry start --port 4000 --data .modmesh/registry',
    'MODMESH_ADMIN_TOKEN=... modmesh registry start --host 0.0.0.0 --storage postgres://registry:PASSWORD@db:5432/registry',
  ],
  run: async function runRegistryStart(args: ParsedArgs, context: CliContext): Promise<void> {
    const port = integerOption(args, 'port', 0, 65_535);
    const host = args.need('host');
    const dataDir = path.resolve(context.cwd, args.need('data'));
    const adminToken = args.value('admin-token');
    const maxFileBytes = args.value('max-file-size') === undefined ? undefined : integerOption(args, 'max-file-size', 1, Number.MAX_SAFE_INTEGER);
    const rateLimit = args.flag('no-rate-limit') ? (false as const) : rateLimitOptions(args);
    const storage = args.value('storage');
    const generatesToken = adminToken === undefined && storage === undefined && !existsSync(path.join(dataDir, 'admin-token'));

    // Loaded only here: Fastify and SQLite would slow down every other command, and may not be installed.
    const { startRegistry } = await loadRegistry('registry start');
    const registry = await startRegistry({
      dataDir,
      storage,
      migrate: args.flag('migrate'),
      port,
      host,
      adminToken,
      requireReadToken: args.flag('require-read-token'),
      maxFileBytes,
      rateLimit,
      ...(args.values('online-key-file').length > 0 && { onlineKeyFiles: args.values('online-key-file').map((file) => path.resolve(context.cwd, file)) }),
      onlineExpiry: onlineExpiry(args),
      requireSignedTags: args.flag('require-signed-tags'),
    }).catch((error: unknown) => {
      throw listenError(error, host, port);
    });
    if (generatesToken && registry.adminTokenFile) {
      registry.app.log.info(
        { adminTokenFile: registry.adminTokenFile },
        `generated an admin token into ${registry.adminTokenFile}; use it as MODMESH_TOKEN for admin commands`,
      );
    }
    const signal = await nextStopSignal();
    registry.app.log.info({ signal }, 'stopping');
    await registry.close();
    registry.app.log.info('stopped');
  },
};

// --- internal ---

// Each --rate-limit-X flag: the registry's budget it sets.
const RATE_LIMIT_FLAGS = {
  'rate-limit-blobs': 'blobUploads',
  'rate-limit-releases': 'releases',
  'rate-limit-tags': 'tagMoves',
  'rate-limit-auth-failures': 'authFailures',
} as const;

function rateLimitOptions(args: ParsedArgs): Record<string, number> {
  const budgets: Record<string, number> = {};
  for (const [flag, budget] of Object.entries(RATE_LIMIT_FLAGS)) {
    if (args.value(flag) !== undefined) budgets[budget] = integerOption(args, flag, 1, 1_000_000);
  }
  return budgets;
}

// Each --X-expiry / --X-renew-before flag: the registry's setting it sets.
const EXPIRY_FLAGS = {
  'timestamp-expiry': 'timestampSeconds',
  'timestamp-renew-before': 'timestampRenewBeforeSeconds',
  'snapshot-expiry': 'snapshotSeconds',
  'snapshot-renew-before': 'snapshotRenewBeforeSeconds',
} as const;

function onlineExpiry(args: ParsedArgs): Record<string, number> {
  const expiry: Record<string, number> = {};
  for (const [flag, setting] of Object.entries(EXPIRY_FLAGS)) {
    if (args.value(flag) !== undefined) expiry[setting] = integerOption(args, flag, 1, 366 * 86_400);
  }
  for (const role of ['timestamp', 'snapshot']) {
    const [life, before] = [expiry[`${role}Seconds`], expiry[`${role}RenewBeforeSeconds`]];
    if (life !== undefined && before !== undefined && before >= life) {
      throw new ModmeshError('MODMESH_USAGE', `--${role}-renew-before (${before}) must be less than --${role}-expiry (${life})`, {
        hint: 'The registry renews a document when less than renew-before is left of its expiry.',
      });
    }
  }
  return expiry;
}

function integerOption(args: ParsedArgs, name: string, min: number, max: number): number {
  const text = args.need(name);
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ModmeshError('MODMESH_USAGE', `--${name} ${JSON.stringify(text)} is not a whole number from ${min} to ${max}`, {
      hint: 'Run `modmesh registry start --help`.',
    });
  }
  return value;
}

function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const problem = code === undefined ? undefined : LISTEN_ERRORS[code];
  if (!problem) return error;
  return new ModmeshError('MODMESH_USAGE', `cannot listen on ${host}:${port}: it ${problem} (${code})`, {
    hint: 'Pick another --port (0 picks a free one) or --host, or stop what is using it.',
    cause: error,
  });
}

function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      // Handlers off again: a second Ctrl-C while closing ends the process the default way.
      for (const name of STOP_SIGNALS) process.off(name, stop);
      resolve(signal);
    };
    for (const name of STOP_SIGNALS) process.on(name, stop);
  });
}
