import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModmeshError, REMOTE_NAME } from '@modmesh/manifest';
import { type CommandSpec, type ParsedArgs, remoteName } from '../args.js';
import { type CliContext, createOutput } from '../output.js';
import { type Files, hostFiles, remoteFiles } from './init-templates.js';

// What each kind of project installs: modmesh's packages, and the bundler a remote builds with
// (exact: @module-federation/enhanced 2.9 reaches into webpack's internals).
const REMOTE_PACKAGES = ['@modmesh/cli', '@modmesh/build', '@modmesh/manifest'];
const HOST_PACKAGES = ['@modmesh/runtime', '@modmesh/manifest'];
const BUNDLER_PACKAGES = { webpack: { webpack: '5.111.1' }, rspack: { '@rspack/core': '2.2.9' } } as const;
const DEFAULT_REMOTE = 'greeter';

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'scaffold a remote (or a host) in an empty directory',
  arguments: 'DIR',
  description: [
    'Writes a new project into DIR (created, or empty): with --remote (the default) a Module Federation',
    'remote, its modmesh.config.ts, a first exposed module (src/greeting.ts) and a test of the built',
    "container; with --host a service that runs a remote's module from a registry through createMesh",
    '(@modmesh/runtime), and a test. Then: cd DIR && npm install && npm test.',
    '',
    "modmesh's packages come from the npm registry (--npm-registry names another for the @modmesh",
    'scope), or from the `npm pack` tarballs in --packages DIR.',
  ].join('\n'),
  options: {
    remote: { type: 'boolean', description: 'a remote: exposes modules (the default)' },
    host: { type: 'boolean', description: "a host: runs a remote's modules" },
    name: { type: 'string', value: 'NAME', description: "the project's name, and a remote's name at the registry (default: DIR's name)" },
    uses: { type: 'string', value: 'REMOTE', default: DEFAULT_REMOTE, description: 'for a host: the remote whose ./greeting it runs' },
    bundler: { type: 'string', value: 'NAME', default: 'webpack', description: 'for a remote: webpack or rspack' },
    packages: { type: 'string', value: 'DIR', description: "install modmesh's packages from the `npm pack` tarballs in DIR" },
    'npm-registry': { type: 'string', value: 'URL', description: 'the npm registry to install @modmesh packages from (written to .npmrc)' },
  },
  examples: ['modmesh init greeter', 'modmesh init --host shop --uses greeter', 'modmesh init greeter --bundler rspack --packages ../modmesh-tarballs'],
  run: runInit,
};

async function runInit(args: ParsedArgs, context: CliContext): Promise<void> {
  const output = createOutput(context, false);
  if (args.flag('remote') && args.flag('host'))
    throw new ModmeshError('MODMESH_USAGE', 'modmesh init: --remote and --host exclude each other', { hint: 'Give one.' });
  const kind = args.flag('host') ? 'host' : 'remote';
  const dir = path.resolve(context.cwd, args.positionals[0] ?? '');
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ModmeshError('MODMESH_USAGE', `${dir} is not empty; modmesh init writes a new project`, { hint: 'Name a new or empty directory.' });
  }
  const name = projectName(args.value('name'), dir);
  const bundler = args.need('bundler');
  if (bundler !== 'webpack' && bundler !== 'rspack')
    throw new ModmeshError('MODMESH_USAGE', `--bundler must be webpack or rspack, not ${JSON.stringify(bundler)}`);
  const remote = remoteName(args.need('uses'));
  const tarballs = args.value('packages');
  const modmesh = packageSpecs(kind === 'remote' ? REMOTE_PACKAGES : HOST_PACKAGES, tarballs ? path.resolve(context.cwd, tarballs) : undefined);
  const packages = kind === 'remote' ? { ...modmesh, ...BUNDLER_PACKAGES[bundler] } : modmesh;
  const overrides = tarballs ? tarballOverrides(path.resolve(context.cwd, tarballs)) : undefined;
  const files: Files = (kind === 'remote' ? remoteFiles : hostFiles)({ name, bundler, remote, packages, overrides });
  const registry = args.value('npm-registry');
  if (registry) files['.npmrc'] = `@modmesh:registry=${registry}\n`;

  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content, { flag: 'wx' });
  }
  const shown = path.relative(context.cwd, dir) || '.';
  output.result({ dir, kind, name, files: Object.keys(files) }, () => [
    `created the ${kind} ${name} in ${shown}: ${Object.keys(files).join(', ')}`,
    '',
    `  cd ${shown} && npm install && npm ${kind === 'remote' ? 'test' : 'start'}`,
    '',
  ]);
}

// --- internal ---

function projectName(given: string | undefined, dir: string): string {
  if (given !== undefined) return remoteName(given);
  const base = path.basename(dir).toLowerCase();
  if (REMOTE_NAME.test(base)) return base;
  throw new ModmeshError('MODMESH_INVALID_NAME', `${JSON.stringify(path.basename(dir))} (the directory's name) is not a valid remote name`, {
    hint: 'Give one with --name, e.g. --name greeter: lowercase letters, digits, "-", "_" and ".".',
  });
}

// Each package at this CLI's own version from the registry, or from its tarball in `dir`
// (`npm pack` names @modmesh/cli's modmesh-cli-VERSION.tgz).
function packageSpecs(names: readonly string[], dir: string | undefined): Record<string, string> {
  const version = cliVersion();
  if (!dir) return Object.fromEntries(names.map((name) => [name, `^${version}`]));
  const found = existsSync(dir) ? readdirSync(dir) : [];
  return Object.fromEntries(
    names.map((name) => {
      const prefix = `${name.slice(1).replace('/', '-')}-`;
      const tarball = found
        .filter((file) => file.startsWith(prefix) && file.endsWith('.tgz') && /^\d/.test(file.slice(prefix.length)))
        .sort()
        .at(-1);
      if (!tarball) {
        throw new ModmeshError('MODMESH_USAGE', `--packages ${dir} has no tarball of ${name} (${prefix}VERSION.tgz)`, {
          hint: 'Make them in a modmesh checkout: npm pack -w packages/manifest -w packages/api -w packages/trust -w packages/host-core -w packages/contract -w packages/build -w packages/cli -w packages/runtime --pack-destination DIR.',
        });
      }
      return [name, `file:${path.join(dir, tarball)}`];
    }),
  );
}

// Every modmesh package among the tarballs, by name: the ones the direct dependencies depend on
// (@modmesh/api, @modmesh/host-core...) come from there too, not from the npm registry.
function tarballOverrides(dir: string): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const file of existsSync(dir) ? readdirSync(dir).sort() : []) {
    const name = /^modmesh-(.+)-\d+\.\d+\.\d+[^/]*\.tgz$/.exec(file)?.[1];
    if (name) overrides[`@modmesh/${name}`] = `file:${path.join(dir, file)}`;
  }
  return overrides;
}

function cliVersion(): string {
  // src/commands and dist/commands are both two levels below package.json.
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
