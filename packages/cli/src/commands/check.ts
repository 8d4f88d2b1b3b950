import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isModmeshError, ModmeshError, RELEASE_TARGET_DIRS, RELEASE_TYPES_INDEX } from '@modmesh/manifest';
import semver from 'semver';
import { CLIENT_OPTIONS, type CommandSpec, type ParsedArgs, releaseVersion, remoteName } from '../args.js';
import { connect } from '../connect.js';
import {
  baselineOf,
  compareReleases,
  contractBreakError,
  describeBreak,
  type GateResult,
  hostsRunning,
  localContract,
  publishedContract,
  type ReleaseContract,
  releaseName,
} from '../contract-gate.js';
import { type CliContext, createOutput } from '../output.js';
import { buildReleaseManifest } from '../release.js';
import { delegatedPublishers, ROOT_OPTION, trustedRootBytes, verifyRegistry } from '../trust.js';

export const checkCommand: CommandSpec = {
  name: 'check',
  summary: "check a build against the contract of its remote's published releases (the publish gate, without publishing)",
  arguments: '[DIR]',
  description: [
    'Compares the release directory DIR (default dist/release, as `modmesh build` writes it) with an',
    'older release, as `modmesh publish` does before it uploads anything: every exposed module and',
    "export still there, each export's new type assignable to its old one (TypeScript's checker",
    'decides), and each shared singleton still admitting what the hosts running the remote provide.',
    '',
    'With --against DIR it compares with another release directory, entirely offline (a CI job',
    'that built the previous release, or kept it). Otherwise it asks the registry: with --version,',
    'the release publish would compare with (the newest of the same major below it); without, the',
    'newest release. Exits 1 with MODMESH_CONTRACT_BREAK and the list when the contract breaks and',
    'the version is not a new major.',
  ].join('\n'),
  options: {
    name: { type: 'string', value: 'NAME', description: "the remote's name (default: the name `modmesh build` recorded in DIR)" },
    version: { type: 'string', value: 'X.Y.Z', description: 'the version DIR would be published as' },
    against: { type: 'string', value: 'DIR', description: 'an older release directory to compare with, offline (no registry)' },
    root: {
      ...ROOT_OPTION,
      description: 'with a registry whose root of trust delegates the remote: the older release is verified with the publishers it delegates',
    },
    ...CLIENT_OPTIONS,
  },
  examples: ['modmesh check --version 1.3.0', 'modmesh check dist/release --against previous/dist/release'],
  run: runCheck,
};

async function runCheck(args: ParsedArgs, context: CliContext): Promise<void> {
  const output = createOutput(context, args.flag('json'));
  const dir = path.resolve(context.cwd, args.positionals[0] ?? 'dist/release');
  const name = remoteName(args.value('name') ?? recordedName(dir));
  const given = args.value('version');
  const version = given === undefined ? undefined : releaseVersion(given, name);
  const after = await contractOfDir(dir, name, version ?? '0.0.0', context.cwd, output.note);
  const againstDir = args.value('against');

  let result: GateResult;
  if (againstDir !== undefined) {
    const before = await contractOfDir(path.resolve(context.cwd, againstDir), name, '0.0.0', context.cwd, output.note);
    result = await compareReleases(
      { ...before, version: `the release in ${path.relative(context.cwd, path.resolve(context.cwd, againstDir)) || '.'}` },
      after,
      [],
      dir,
    );
    result.notes.push('offline: shared ranges were not checked against the hosts running the remote (their reports are at the registry)');
  } else {
    const client = connect(args, context.env, context.cwd, output);
    const remote = await client.remote(name).catch((error: unknown) => {
      if (isModmeshError(error) && error.code === 'MODMESH_NOT_FOUND') return undefined;
      throw error;
    });
    const versions = remote?.versions.map((entry) => entry.version) ?? [];
    // A new major is compared with the newest release below it: its breaks are allowed, and listed.
    const below = (each: string) => version === undefined || semver.lt(each, version);
    const against = version === undefined ? newest(versions) : (baselineOf(versions, version) ?? newest(versions.filter(below)));
    if (against === undefined) {
      result = {
        against: undefined,
        breaks: [],
        added: [],
        notes: [`no published release of ${name} to compare with${version ? ` below ${version}` : ''}`],
      };
    } else {
      const notes: string[] = [];
      const hosts = await hostsRunning(client, name, notes);
      const publishers = args.value('root')
        ? delegatedPublishers(await verifyRegistry(client, await trustedRootBytes(args, context.cwd, 'check'), { remotes: [name] }), name)
        : [];
      result = await compareReleases(await publishedContract(client, name, against, notes, publishers), after, hosts, dir);
      result.notes.unshift(...notes);
    }
  }

  for (const note of result.notes) output.note(note);
  const newMajor =
    version !== undefined && result.against !== undefined && semver.valid(result.against) !== null && semver.major(version) > semver.major(result.against);
  if (result.breaks.length > 0 && !newMajor) throw contractBreakError(name, version ?? 'this build', result, 'checked, nothing published');
  output.result({ name, version: version ?? null, against: result.against ?? null, breaks: result.breaks, added: result.added }, () => [
    result.against === undefined
      ? `${name}: nothing to compare with`
      : result.breaks.length > 0
        ? `${name}@${version} is a new major: it may break ${releaseName(name, result.against)} (${result.breaks.length} breaks):`
        : `${name}: the contract of ${releaseName(name, result.against)} is kept${result.added.length > 0 ? `; added ${result.added.join(', ')}` : ''}`,
    ...result.breaks.map(describeBreak),
  ]);
}

// --- internal ---

function newest(versions: string[]): string | undefined {
  return versions.filter((each) => semver.valid(each) && !semver.prerelease(each)).sort(semver.rcompare)[0];
}

async function contractOfDir(dir: string, name: string, version: string, cwd: string, note: (text: string) => void): Promise<ReleaseContract> {
  const manifest = await buildReleaseManifest({ dir, name, version, target: 'node', bundler: 'unknown', cwd, note });
  return localContract(manifest, dir);
}

// The remote's name as the build recorded it beside its declarations.
function recordedName(dir: string): string {
  for (const place of ['', ...Object.values(RELEASE_TARGET_DIRS)]) {
    const file = path.join(dir, place, RELEASE_TYPES_INDEX);
    if (!existsSync(file)) continue;
    try {
      const { name } = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
      if (typeof name === 'string') return name;
    } catch {}
  }
  throw new ModmeshError('MODMESH_USAGE', `modmesh check: ${dir} holds no ${RELEASE_TYPES_INDEX} to read the remote's name from`, {
    hint: 'Build it with `modmesh build` (which writes the declarations it checks), or pass --name.',
  });
}
