import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ModmeshError, REMOTE_NAME, REMOTE_NAME_RULE, versionSchema } from '@modmesh/manifest';
import type { CliContext } from './output.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** The value's name in --help (`--port PORT`). */
  value?: string;
  /** Read from this environment variable when the option is not given. */
  env?: string;
  default?: string;
  /** Refused with MODMESH_USAGE when neither given, nor in `env`, nor defaulted. */
  required?: boolean;
  /** May be given more than once (a string option); read with `values()`. */
  multiple?: boolean;
}

export interface CommandSpec {
  /** The words that select it: "tag set". */
  name: string;
  summary: string;
  /** Positional arguments after the name, as shown in --help; `[X]` is optional: "NAME [TAG]". */
  arguments: string;
  /** What it does, for --help: a few lines. */
  description: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  run(args: ParsedArgs, context: CliContext): Promise<void>;
}

export interface ParsedArgs {
  positionals: string[];
  /** A string option, after its environment variable and default. */
  value(name: string): string | undefined;
  /** A required string option (checked while parsing, so this never throws for one declared `required`). */
  need(name: string): string;
  /** Every value of an option declared `multiple`, in the order given. */
  values(name: string): string[];
  flag(name: string): boolean;
}

/** Where `modmesh registry start` listens by default. */
export const DEFAULT_REGISTRY = 'http://127.0.0.1:4000';
export const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'print machine-readable JSON instead of text' };
/** The options every command that talks to a registry takes. */
export const CLIENT_OPTIONS: Record<string, OptionSpec> = {
  registry: { type: 'string', value: 'URL', env: 'MODMESH_REGISTRY', default: DEFAULT_REGISTRY, description: 'the registry to talk to' },
  token: { type: 'string', value: 'TOKEN', env: 'MODMESH_TOKEN', description: 'a publish or admin token (see `modmesh token create`)' },
  json: JSON_OPTION,
};

/**
 * Parses a command's arguments strictly: an unknown option, a missing value or a missing or
 * extra positional is a MODMESH_USAGE error that points at the command's --help.
 */
export function parseCommandArgs(spec: CommandSpec, argv: string[], env: NodeJS.ProcessEnv): ParsedArgs {
  const usage = (message: string): ModmeshError =>
    new ModmeshError('MODMESH_USAGE', `modmesh ${spec.name}: ${message}`, { hint: `Run \`modmesh ${spec.name} --help\`.` });
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(spec.options).map(([name, option]) => [name, { type: option.type, multiple: option.multiple === true }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (cause) {
    throw usage(((cause as Error).message.split('\n')[0] ?? '').replace(/\. To specify a positional.*$/, ''));
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const { required, optional } = positionalCounts(spec.arguments);
  const names = spec.arguments.replace(/[[\]]/g, '').split(' ').filter(Boolean);
  if (parsed.positionals.length < required) throw usage(`missing ${names.slice(parsed.positionals.length, required).join(' ')}`);
  if (parsed.positionals.length > required + optional) throw usage(`unexpected argument "${parsed.positionals[required + optional]}"`);

  const value = (name: string): string | undefined => {
    const option = spec.options[name];
    const given = values[name];
    if (typeof given === 'string') return given;
    if (Array.isArray(given)) return given.at(-1);
    const fromEnv = option?.env ? env[option.env] : undefined;
    return fromEnv || option?.default;
  };
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.required && value(name) === undefined)
      throw usage(`missing --${name} ${option.value ?? ''}`.trimEnd() + (option.env ? ` (or ${option.env})` : ''));
  }
  return {
    positionals: parsed.positionals,
    value,
    need(name) {
      const found = value(name);
      if (found === undefined) throw usage(`missing --${name}`);
      return found;
    },
    values(name) {
      const given = values[name];
      return Array.isArray(given) ? given : typeof given === 'string' ? [given] : [];
    },
    flag: (name) => values[name] === true,
  };
}

/** The --help text of a command: usage, what it does, options, examples. */
export function formatHelp(spec: CommandSpec): string {
  const required = Object.entries(spec.options)
    .filter(([, option]) => option.required)
    .map(([name, option]) => `--${name} ${option.value ?? ''}`.trimEnd());
  const help: [string, OptionSpec] = ['help', { type: 'boolean', description: 'show this help' }];
  const rows = [...Object.entries(spec.options), help].map(([name, option]): [string, string] => {
    const notes = [
      option.required && 'required',
      option.multiple && 'repeatable',
      option.env && `env ${option.env}`,
      option.default && `default ${option.default}`,
    ].filter(Boolean);
    return [`--${name}${option.value ? ` ${option.value}` : ''}`, `${option.description}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`];
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `Usage: modmesh ${[spec.name, spec.arguments, ...required, '[options]'].filter(Boolean).join(' ')}`,
    '',
    spec.description,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    spec.examples.length > 1 ? 'Examples:' : 'Example:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}

/** A remote name from the command line, checked before anything is sent. */
export function remoteName(name: string): string {
  if (!REMOTE_NAME.test(name)) {
    throw new ModmeshError('MODMESH_INVALID_NAME', `${JSON.stringify(name)} is not a valid remote name: ${REMOTE_NAME_RULE}`);
  }
  return name;
}

/** A full semantic version from the command line. */
export function releaseVersion(version: string, remote?: string): string {
  if (!versionSchema.safeParse(version).success) {
    throw new ModmeshError('MODMESH_INVALID_VERSION', `${JSON.stringify(version)} is not a full semantic version such as 1.2.3`, { remote });
  }
  return version;
}

/** A file the user named on the command line; one that cannot be read is a usage error. */
export async function readUserFile(file: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModmeshError('MODMESH_USAGE', `cannot read ${what} ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, {
      hint,
      cause,
    });
  }
}

// --- internal ---

// `[X]` is optional, `[X...]` any number more.
function positionalCounts(synopsis: string): { required: number; optional: number } {
  const words = synopsis.split(' ').filter(Boolean);
  const optional = words.filter((word) => word.startsWith('['));
  return { required: words.length - optional.length, optional: optional.some((word) => word.endsWith('...]')) ? Number.POSITIVE_INFINITY : optional.length };
}
