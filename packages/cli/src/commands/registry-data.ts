import path from 'node:path';
import { type CommandSpec, JSON_OPTION, type OptionSpec, type ParsedArgs } from '../args.js';
import { LOCAL_DATA_DIR } from '../connect.js';
import { type CliContext, createOutput } from '../output.js';
import { STORAGE_OPTION } from './registry.js';
import { loadRegistry, type RegistryModule } from './registry-module.js';

// The registry's own storage, named as `modmesh registry start` names it.
const DATA_OPTION: OptionSpec = {
  type: 'string',
  value: 'DIR',
  default: LOCAL_DATA_DIR,
  description: 'the embedded storage (SQLite and files), when no --storage',
};

export const registryMigrateCommand: CommandSpec = {
  name: 'registry migrate',
  summary: "bring a PostgreSQL registry database's schema up to this version",
  arguments: '',
  description: [
    'Applies the schema migrations the database lacks, each in its own transaction, and prints which.',
    'Safe to run again and from several places at once (they take turns; later runs find nothing to',
    'do). Run it before starting replicas of a new version (deploy/ runs it as a Kubernetes Job). The',
    'embedded SQLite storage needs no migrating.',
  ].join('\n'),
  options: { storage: { ...STORAGE_OPTION, required: true }, json: JSON_OPTION },
  examples: ['modmesh registry migrate --storage postgres://registry:PASSWORD@db:5432/registry'],
  run: async function runRegistryMigrate(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const { migrateStorage } = await loadRegistry('registry migrate');
    const result = await migrateStorage(args.need('storage'));
    output.result(result, () => [
      result.applied.length === 0
        ? `schema is at version ${result.version}: nothing to migrate`
        : `migrated to schema version ${result.version} (applied ${result.applied.join(', ')})`,
    ]);
  },
};

export const registryExportCommand: CommandSpec = {
  name: 'registry export',
  summary: 'write a whole registry to a directory (to move it between storages)',
  arguments: '',
  description: [
    'Writes releases and their files, tags, the audit log, events, publisher keys and tokens (as',
    'hashes) to a new directory, re-hashing every file. Reads a consistent snapshot, so the registry',
    'may keep running. `modmesh registry import` reads it into SQLite or PostgreSQL; the directory',
    'holds token hashes: keep it as private as the registry.',
  ].join('\n'),
  options: { out: { type: 'string', value: 'DIR', required: true, description: 'a new directory to write the export to' }, ...storageOptions() },
  examples: [
    'modmesh registry export --data .modmesh/registry --out registry-export',
    'modmesh registry export --storage postgres://... --out registry-export',
  ],
  run: async function runRegistryExport(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const dir = path.resolve(context.cwd, args.need('out'));
    const summary = await withStorage('registry export', args, context, false, async (storage, registry) => registry.exportRegistry(storage, dir));
    output.result({ dir, ...summary }, () => [`exported ${describe(summary)} to ${dir}`]);
  },
};

export const registryImportCommand: CommandSpec = {
  name: 'registry import',
  summary: 'read a registry export into this storage (idempotent)',
  arguments: 'DIR',
  description: [
    'Reads an export from `modmesh registry export` into the storage named by --storage or --data.',
    "Every file is re-hashed and checked against its release's signed manifest before anything is",
    'written; ids, sequence numbers and times are kept, so hosts resume their event streams and keep',
    'their tag sequence. Records already present identically are skipped, so importing twice changes',
    'nothing; a record present with other contents refuses the whole import (MODMESH_IMPORT_CONFLICT).',
  ].join('\n'),
  options: { ...storageOptions(), migrate: { type: 'boolean', description: 'with --storage: apply missing schema migrations first' } },
  examples: ['modmesh registry import registry-export --storage postgres://registry:PASSWORD@db:5432/registry'],
  run: async function runRegistryImport(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const dir = path.resolve(context.cwd, args.positionals[0] ?? '');
    const summary = await withStorage('registry import', args, context, args.flag('migrate'), async (storage, registry) =>
      registry.importRegistry(storage, dir),
    );
    output.result({ dir, ...summary }, () => [
      `imported ${describe(summary)} from ${dir}: ${summary.added} records and ${summary.filesAdded} files added, ${summary.unchanged} records already there`,
    ]);
  },
};

// --- internal ---

function storageOptions(): Record<string, OptionSpec> {
  return { storage: STORAGE_OPTION, data: DATA_OPTION, json: JSON_OPTION };
}

async function withStorage<T>(
  command: string,
  args: ParsedArgs,
  context: CliContext,
  migrate: boolean,
  work: (storage: Awaited<ReturnType<RegistryModule['openStorage']>>, registry: RegistryModule) => Promise<T>,
): Promise<T> {
  // Loaded only here: SQLite and PostgreSQL would slow down every other command, and may not be installed.
  const registry = await loadRegistry(command);
  const storage = await registry.openStorage({
    storage: args.value('storage'),
    dataDir: path.resolve(context.cwd, args.need('data')),
    migrate,
    poolSize: 2,
  });
  try {
    return await work(storage, registry);
  } finally {
    await storage.close();
  }
}

function describe(summary: { records: Record<string, number>; files: number }): string {
  const { release, tag, tagMove, event, key, token } = summary.records;
  return `${release} releases (${summary.files} files), ${tag} tags, ${tagMove} audit entries, ${event} events, ${key} keys, ${token} tokens`;
}
