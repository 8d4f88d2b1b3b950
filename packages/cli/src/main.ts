import { readFileSync } from 'node:fs';
import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import { type CommandSpec, formatHelp, parseCommandArgs } from './args.js';
import { releasesAdoptCommand, releasesRefreshCommand, signCommand, tagPushCommand, tagRefreshCommand, tagsAdoptCommand } from './commands/adopt.js';
import { buildCommand } from './commands/build.js';
import { checkCommand } from './commands/check.js';
import { devCommand } from './commands/dev.js';
import { initCommand } from './commands/init.js';
import { keysGenerateCommand, tokenCreateCommand, trustAddCommand } from './commands/keys.js';
import { onlineKeyPrintCommand } from './commands/online-key.js';
import { publishCommand } from './commands/publish.js';
import { infoCommand, lsCommand } from './commands/read.js';
import { registryStartCommand } from './commands/registry.js';
import { registryExportCommand, registryImportCommand, registryMigrateCommand } from './commands/registry-data.js';
import { rootAddRemoteCommand, rootCreateCommand, rootRemoveKeyCommand, rootRotateCommand } from './commands/root.js';
import { rootInspectCommand } from './commands/root-inspect.js';
import { rootPullCommand, rootPushCommand, rootSignCommand } from './commands/root-sync.js';
import { rollbackCommand, tagSetCommand } from './commands/tags.js';
import { auditCommand, tokenListCommand, tokenRevokeCommand } from './commands/tokens.js';
import { typesPullCommand } from './commands/types.js';
import { missingOptionalPackage } from './optional.js';
import type { CliContext } from './output.js';

const COMMANDS: CommandSpec[] = [
  initCommand,
  buildCommand,
  devCommand,
  registryStartCommand,
  registryMigrateCommand,
  registryExportCommand,
  registryImportCommand,
  onlineKeyPrintCommand,
  keysGenerateCommand,
  trustAddCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  auditCommand,
  rootCreateCommand,
  rootAddRemoteCommand,
  rootRemoveKeyCommand,
  rootRotateCommand,
  rootSignCommand,
  rootInspectCommand,
  rootPushCommand,
  rootPullCommand,
  publishCommand,
  checkCommand,
  typesPullCommand,
  tagSetCommand,
  rollbackCommand,
  signCommand,
  tagPushCommand,
  tagRefreshCommand,
  releasesAdoptCommand,
  releasesRefreshCommand,
  tagsAdoptCommand,
  lsCommand,
  infoCommand,
];

// Exit codes: what a script calling modmesh branches on.
const EXIT_OK = 0;
/** An expected failure (a MODMESH_* error): message and hint printed. */
const EXIT_FAILED = 1;
/** A bug: the stack is printed. */
const EXIT_BUG = 2;

/**
 * The `modmesh` command. Runs one command and resolves with the process's exit code; every
 * error ends here (the one error boundary), so it can run in-process as well as from the bin.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[], context: Partial<CliContext> = {}): Promise<number> {
  const full: CliContext = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), ...context };
  try {
    await run(argv, full);
    return EXIT_OK;
  } catch (thrown) {
    const error = missingOptionalPackage(thrown) ?? thrown;
    if (isModmeshError(error)) {
      full.stderr.write(`error ${error.code}: ${error.message}\n  hint: ${error.hint}\n`);
      return EXIT_FAILED;
    }
    full.stderr.write(`modmesh: unexpected failure; this is a bug, please report it with what follows.\n${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_BUG;
  }
}

// --- internal ---

async function run(argv: string[], context: CliContext): Promise<void> {
  // Options end at "--"; a "--help" after it is an argument, not a request for help.
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const wantsHelp = options.includes('--help') || options.includes('-h');
  const [first, second] = argv;
  if (first === undefined || ((first === '--help' || first === '-h' || first === 'help') && second === undefined)) {
    return void context.stdout.write(overview());
  }
  if (first === '--version' || first === '-v') return void context.stdout.write(`${version()}\n`);

  const command = COMMANDS.find((spec) => spec.name === `${first} ${second}`) ?? COMMANDS.find((spec) => spec.name === first);
  if (!command) {
    const group = COMMANDS.filter((spec) => spec.name.startsWith(`${first} `));
    if (group.length > 0 && wantsHelp) return void context.stdout.write(overview(group));
    const subcommands = group.map((spec) => spec.name.split(' ')[1]).join(', ');
    throw new ModmeshError('MODMESH_USAGE', group.length > 0 ? `modmesh ${first} needs a subcommand: ${subcommands}` : `unknown command "${first}"`, {
      hint: `Run \`modmesh ${group.length > 0 ? `${first} ` : ''}--help\` for the list.`,
    });
  }
  if (wantsHelp) return void context.stdout.write(formatHelp(command));
  const rest = argv.slice(command.name.split(' ').length);
  await command.run(parseCommandArgs(command, rest, context.env), context);
}

function overview(commands = COMMANDS): string {
  const width = Math.max(...commands.map((spec) => `${spec.name} ${spec.arguments}`.trim().length));
  return [
    'Usage: modmesh <command> [options]',
    '',
    'Build Module Federation remotes, publish them as signed releases to a modmesh registry, and move their tags.',
    '',
    'Commands:',
    ...commands.map((spec) => `  ${`${spec.name} ${spec.arguments}`.trim().padEnd(width)}  ${spec.summary}`),
    '',
    'Run `modmesh <command> --help` for its options and an example. Client commands take',
    '--registry URL (MODMESH_REGISTRY), --token TOKEN (MODMESH_TOKEN) and --json.',
    '',
  ].join('\n');
}

function version(): string {
  // src/ and dist/ are both one level below package.json.
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
