import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import { type CommandSpec, JSON_OPTION, type ParsedArgs } from '../args.js';
import { loadOptional } from '../optional.js';
import { type CliContext, createOutput, formatBytes, type Output } from '../output.js';

export const BUNDLER_NAMES = ['webpack', 'rspack'] as const;
export const TARGET_NAMES = ['node', 'web'] as const;

export const buildCommand: CommandSpec = {
  name: 'build',
  summary: 'build the containers of modmesh.config.ts into a release directory',
  arguments: '[DIR]',
  description: [
    'Reads modmesh.config.ts in DIR (default: the current directory), builds every target it names',
    '(node, web) with webpack 5 or rspack around @module-federation/enhanced, and writes the release',
    'directory `modmesh publish` takes as it is: OUT_DIR/node and OUT_DIR/web, each with its',
    'remoteEntry.js, chunks, source maps, mf-manifest.json and modmesh-build.json. The build goes to',
    'a staging directory first: a failed build leaves the previous release as it was. The same sources',
    'give byte-identical output. --watch rebuilds on every change of a source.',
  ].join('\n'),
  options: {
    bundler: { type: 'string', value: 'NAME', env: 'MODMESH_BUNDLER', default: 'webpack', description: 'webpack or rspack' },
    target: {
      type: 'string',
      value: 'node|web',
      multiple: true,
      description: "build only this target of the config (the release's other target is left as it is)",
    },
    out: { type: 'string', value: 'DIR', description: "the release directory, instead of the config's outDir (default dist/release)" },
    config: { type: 'string', value: 'FILE', description: 'the config file, when not DIR/modmesh.config.ts' },
    watch: { type: 'boolean', description: 'rebuild on every change of a source, until interrupted' },
    json: JSON_OPTION,
  },
  examples: ['modmesh build', 'modmesh build examples/auth-service --bundler rspack --out /tmp/auth-release', 'modmesh build --watch'],
  run: runBuild,
};

async function runBuild(args: ParsedArgs, context: CliContext): Promise<void> {
  const output = createOutput(context, args.flag('json'));
  const bundler = args.need('bundler');
  if (!isOneOf(BUNDLER_NAMES, bundler))
    throw new ModmeshError('MODMESH_USAGE', `--bundler must be ${BUNDLER_NAMES.join(' or ')}, not ${JSON.stringify(bundler)}`);
  const targets: BuildOptions['targets'] = [];
  for (const target of args.values('target')) {
    if (isOneOf(TARGET_NAMES, target)) targets.push(target);
    else throw new ModmeshError('MODMESH_USAGE', `--target must be ${TARGET_NAMES.join(' or ')}, not ${JSON.stringify(target)}`);
  }
  const out = args.value('out');
  const config = args.value('config');
  const options: BuildOptions = {
    dir: path.resolve(context.cwd, args.positionals[0] ?? '.'),
    bundler,
    targets,
    ...(out && { outDir: path.resolve(context.cwd, out) }),
    ...(config && { config: path.resolve(context.cwd, config) }),
  };
  // @modmesh/build brings the bundlers; only this command loads it (missing, main() says how to install it).
  const build = await loadOptional<BuildPackage>('@modmesh/build', 'build');
  if (!args.flag('watch')) return report(output, await build.buildRelease(options), context.cwd);

  const watcher = await build.watchRelease(options, {
    onBuild: (result) => report(output, result, context.cwd),
    onError: (error) => output.note(`error ${error.code}: ${error.message}\n  hint: ${error.hint}`),
  });
  output.note('watching for changes; Ctrl-C stops');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await watcher.close();
}

// --- internal ---

/**
 * What this command uses of @modmesh/build, an optional peer dependency: the CLI compiles and
 * runs without it installed. `build.test.ts` checks that the package matches.
 */
export interface BuildPackage {
  buildRelease(options: BuildOptions): Promise<BuildResult>;
  watchRelease(
    options: BuildOptions,
    listener: { onStart?(): void; onBuild(result: BuildResult): void; onError(error: ModmeshError): void },
  ): Promise<{ close(): Promise<void> }>;
  loadConfig(options: { dir: string }): Promise<{ name: string; dir: string }>;
  CONFIG_FILES: readonly string[];
}

export interface BuildOptions {
  dir: string;
  bundler: (typeof BUNDLER_NAMES)[number];
  targets: (typeof TARGET_NAMES)[number][];
  outDir?: string;
  config?: string;
}

export interface BuildResult {
  name: string;
  outDir: string;
  bundler: string;
  bundlerVersion: string;
  ms: number;
  warnings: string;
  targets: { target: string; buildId: string; files: number; bytes: number }[];
}

// A path as the user can read it: relative to where they are, unless that climbs out of it.
function shown(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  return relative.startsWith('..') ? dir : relative || '.';
}

export function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

function report(output: Output, result: BuildResult, cwd: string): void {
  if (result.warnings) output.note(result.warnings);
  output.result(result, () => [
    `built ${result.name} with ${result.bundler} ${result.bundlerVersion} in ${result.ms} ms: ${shown(cwd, result.outDir)}`,
    ...result.targets.map((target) => `  ${target.target.padEnd(4)}  ${target.files} files, ${formatBytes(target.bytes)}  (build ${target.buildId})`),
  ]);
}
