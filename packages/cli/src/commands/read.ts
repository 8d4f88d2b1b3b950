import type { RemoteAnswer, RemoteSummary, ResolvedTag, TagMove } from '@modmesh/api';
import type { ReleaseManifest, ReleaseSignature } from '@modmesh/manifest';
import { CLIENT_OPTIONS, type CommandSpec, type ParsedArgs, remoteName } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput, formatBytes, table } from '../output.js';

/** What `info` shows (and prints with --json). */
interface ReleaseInfo {
  name: string;
  spec: string;
  version: string;
  tag: ResolvedTag | null;
  publishedAt: string;
  publishedBy: string;
  keyId: string;
  files: { count: number; bytes: number };
  containers: ReleaseManifest['containers'];
  build: ReleaseManifest['build'];
  history?: TagMove[];
}

// How many of a tag's moves `info NAME@TAG` shows.
const HISTORY_SHOWN = 10;
// `info NAME` alone: the highest published release version.
const ANY_VERSION = '*';

export const lsCommand: CommandSpec = {
  name: 'ls',
  summary: 'list remotes, or the releases and tags of one',
  arguments: '[NAME]',
  description: [
    'Without NAME: every remote with its number of releases, its newest version and its tags.',
    'With NAME: its versions (when each was published, which tags point at it), its tags and its',
    'publisher keys.',
  ].join('\n'),
  options: CLIENT_OPTIONS,
  examples: ['modmesh ls', 'modmesh ls auth --json'],
  run: async function runLs(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const client = connect(args, context.env, context.cwd, output);
    const [name] = args.positionals;
    if (name === undefined) {
      const listing = await client.remotes();
      return output.result(listing, () => remotesText(listing.remotes, client.url));
    }
    const remote = await client.remote(remoteName(name));
    output.result(remote, () => remoteText(remote));
  },
};

export const infoCommand: CommandSpec = {
  name: 'info',
  summary: 'show a release: NAME@VERSION, NAME@RANGE or NAME@TAG',
  arguments: 'NAME@SPEC',
  description: [
    'Resolves SPEC (a version, a semver range such as ^1, or a tag) as hosts do and shows the release:',
    'when and by whom it was published, the key that signed it, its files and its containers (exposed',
    "modules, shared dependencies). For a tag, also the tag's recent moves. NAME alone is its newest release.",
  ].join('\n'),
  options: CLIENT_OPTIONS,
  examples: ['modmesh info auth@stable', "modmesh info 'auth@^1' --json"],
  run: async function runInfo(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const [reference = ''] = args.positionals;
    const at = reference.indexOf('@');
    const name = remoteName(at === -1 ? reference : reference.slice(0, at));
    const spec = at === -1 ? ANY_VERSION : reference.slice(at + 1);
    const client = connect(args, context.env, context.cwd, output);
    const resolved = await client.resolve(name, spec);
    const history = resolved.tag ? (await client.history(name, resolved.tag.name, HISTORY_SHOWN)).history : undefined;
    // Shown, not trusted: `info` reads what the registry says it holds.
    const { publishedAt, publishedBy } = resolved.release;
    const manifest = resolved.release.manifest as ReleaseManifest;
    const signature = resolved.release.signature as ReleaseSignature;
    const release: ReleaseInfo = {
      name,
      spec,
      version: resolved.version,
      tag: resolved.tag ?? null,
      publishedAt,
      publishedBy,
      keyId: signature.keyId,
      files: { count: manifest.files.length, bytes: manifest.files.reduce((sum, file) => sum + file.size, 0) },
      containers: manifest.containers,
      build: manifest.build,
      ...(history && { history }),
    };
    output.result(release, () => releaseText(release));
  },
};

// --- internal ---

function remotesText(remotes: RemoteSummary[], url: string): string[] {
  if (remotes.length === 0) return [`no remotes at ${url} yet: publish one with \`modmesh publish\``];
  return table([
    ['NAME', 'RELEASES', 'LATEST', 'TAGS'],
    ...remotes.map((remote) => [
      remote.name,
      String(remote.releases),
      remote.latest ?? '-',
      Object.entries(remote.tags)
        .map(([tag, version]) => `${tag}=${version}`)
        .join(' '),
    ]),
  ]);
}

function remoteText(remote: RemoteAnswer): string[] {
  const tagsOf = (version: string): string =>
    remote.tags
      .filter((state) => state.version === version)
      .map((state) => state.tag)
      .join(' ');
  return [
    ...(remote.versions.length === 0
      ? [`${remote.name} has no releases yet`]
      : table([['VERSION', 'PUBLISHED', 'TAGS'], ...remote.versions.map((entry) => [entry.version, entry.publishedAt, tagsOf(entry.version)])])),
    '',
    ...(remote.tags.length === 0
      ? ['no tags']
      : table([['TAG', 'VERSION', 'SEQ', 'MOVED'], ...remote.tags.map((state) => [state.tag, state.version, String(state.seq), state.updatedAt])])),
    '',
    ...(remote.keys.length === 0 ? ['no publisher keys'] : table([['KEY', 'LABEL'], ...remote.keys.map((key) => [key.keyId, key.label])])),
  ];
}

function releaseText(release: ReleaseInfo): string[] {
  const { tag, build } = release;
  return [
    `${release.name}@${release.version}${tag ? `  (tag ${tag.name}, seq ${tag.seq}${tag.kind === 'rollback' ? ', rolled back' : ''})` : ''}`,
    ...table([
      ['published', `${release.publishedAt} by ${release.publishedBy}`],
      ['signed by', `key ${release.keyId}`],
      ['files', `${release.files.count}, ${formatBytes(release.files.bytes)}`],
      ['built with', `${build.bundler} ${build.bundlerVersion}${build.gitCommit ? ` from ${build.gitCommit.slice(0, 12)}` : ''}`],
    ]),
    ...release.containers.flatMap((container) => [
      `container (${container.target}) ${container.name}, entry ${container.entry}`,
      `  exposes  ${container.exposes.map((expose) => expose.name).join(', ') || '(nothing)'}`,
      ...container.shared.map(
        (shared) =>
          `  shares   ${shared.name} ${shared.version}${shared.requiredVersion ? `, requires ${shared.requiredVersion}` : ''}${shared.singleton ? ', singleton' : ''}`,
      ),
    ]),
    ...(release.history && tag
      ? [
          `moves of ${tag.name}, newest first:`,
          ...table(release.history.map((move) => [`  ${move.at}`, `${move.from ?? '(new)'} -> ${move.to}`, move.kind, move.actor, move.reason])),
        ]
      : []),
  ];
}
