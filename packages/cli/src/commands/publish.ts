import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PublishAnswer, RegistryClient } from '@modmesh/api';
import {
  type FileEntry,
  isModmeshError,
  ModmeshError,
  parsePrivateKey,
  RELEASE_BUILD_INFO,
  RELEASE_TARGET_DIRS,
  signRelease,
  TAG_NAME,
} from '@modmesh/manifest';
import { CLIENT_OPTIONS, type CommandSpec, type ParsedArgs, readUserFile, releaseVersion, remoteName } from '../args.js';
import { connect } from '../connect.js';
import { gatePublish } from '../contract-gate.js';
import { type CliContext, createOutput, formatBytes, type Output } from '../output.js';
import { buildReleaseManifest } from '../release.js';
import { ROOT_OPTION } from '../trust.js';
import { publishRootMode } from './publish-signed.js';

// Files uploaded (and checked for) at a time, over kept-alive connections.
const UPLOAD_CONCURRENCY = 4;
// Without a terminal, a progress line every this many percent of the files, not one per file.
const PLAIN_PROGRESS_STEP_PERCENT = 10;
const TARGETS = ['node', 'web'] as const;
const DEFAULT_BUNDLER = 'webpack';

export const publishCommand: CommandSpec = {
  name: 'publish',
  summary: 'sign a build directory and publish it as NAME@VERSION',
  arguments: 'DIR',
  description: [
    'Hashes every file of the build directory DIR (SHA-256), reads its mf-manifest.json, signs the',
    'release manifest with your publisher key, uploads the files the registry does not have yet and',
    'publishes the release. NAME@VERSION is immutable once published; --tag points a tag at it in the',
    'same step.',
    '',
    'DIR holds one container (its mf-manifest.json at the top; --target says where it runs), or one',
    'container per target in node/ and web/, published together as one release. A build without',
    'mf-manifest.json (@module-federation/enhanced writes none when output.publicPath is unset) is',
    'described by --entry (default remoteEntry.js) and one --expose per exposed module; nothing in',
    'DIR is executed. A container naming a file DIR lacks is refused: MODMESH_RELEASE_INCOMPLETE.',
    'A release directory from `modmesh build` is published as it is: its name and bundler are read',
    'from the modmesh-build.json beside each container.',
    '',
    'Root mode (--root or MODMESH_ROOT): the registry is verified from the trusted root first, and NAME.releases',
    'N+1 listing the release is signed with the same key and published with it (with --tag, NAME.tags N+1',
    'signed with --mover-key). When someone else published in between, it is verified and signed again.',
  ].join('\n'),
  options: {
    name: { type: 'string', value: 'NAME', description: "the remote's name (default: the name `modmesh build` recorded in DIR)" },
    version: { type: 'string', value: 'X.Y.Z', required: true, description: 'the version to publish' },
    key: { type: 'string', value: 'FILE', env: 'MODMESH_KEY', required: true, description: 'your publisher private key (from `modmesh keys generate`)' },
    tag: { type: 'string', value: 'TAG', description: 'a tag to point at the new release' },
    reason: { type: 'string', value: 'TEXT', description: "why, for the tag's audit log" },
    target: {
      type: 'string',
      value: 'node|web',
      description: 'where the container runs, when DIR holds one (default: what `modmesh build` recorded in DIR, else node)',
    },
    bundler: {
      type: 'string',
      value: 'NAME',
      description: 'the bundler that built DIR, its version is recorded (default: what `modmesh build` recorded in DIR, else webpack)',
    },
    entry: { type: 'string', value: 'FILE', description: "without mf-manifest.json: the container's entry in DIR (default remoteEntry.js)" },
    expose: { type: 'string', value: './NAME', multiple: true, description: "without mf-manifest.json: an exposed module, named as in the build's exposes" },
    root: ROOT_OPTION,
    'mover-key': { type: 'string', value: 'FILE', env: 'MODMESH_MOVER_KEY', description: "root mode with --tag: a tag mover's private key" },
    expires: { type: 'string', value: 'DURATION', description: 'root mode: how long NAME.releases (and NAME.tags) are valid (default 365d)' },
    ...CLIENT_OPTIONS,
  },
  examples: [
    'MODMESH_TOKEN=mmp_... modmesh publish dist/release --version 1.2.0 --key keys/publisher.key --tag stable',
    'modmesh publish dist/remote --name auth --version 1.2.0 --key keys/publisher.key',
    'modmesh publish dist --name node-remote --version 1.0.0 --key keys/publisher.key --expose ./test',
  ],
  run: runPublish,
};

async function runPublish(args: ParsedArgs, context: CliContext): Promise<void> {
  const started = performance.now();
  const output = createOutput(context, args.flag('json'));
  const dir = path.resolve(context.cwd, args.positionals[0] ?? '');
  const built = await readBuildInfo(dir);
  const givenName = args.value('name') ?? built?.name;
  if (givenName === undefined) {
    throw new ModmeshError('MODMESH_USAGE', 'modmesh publish: missing --name NAME', {
      hint: `${dir} holds no ${RELEASE_BUILD_INFO} from \`modmesh build\` to read it from: pass --name, or run \`modmesh publish --help\`.`,
    });
  }
  const name = remoteName(givenName);
  const version = releaseVersion(args.need('version'), name);
  const tag = args.value('tag');
  if (tag !== undefined && !TAG_NAME.test(tag))
    throw new ModmeshError('MODMESH_INVALID_TAG', `${JSON.stringify(tag)} is not a valid tag name`, { remote: name });
  const target = args.value('target') ?? built?.target ?? 'node';
  if (!isTarget(target)) throw new ModmeshError('MODMESH_USAGE', `--target must be one of ${TARGETS.join(', ')}, not ${JSON.stringify(target)}`);
  const keyFile = path.resolve(context.cwd, args.need('key'));
  const key = parsePrivateKey(await readUserFile(keyFile, 'the key file', 'Make a key pair with `modmesh keys generate --out DIR` and pass its .key file.'));
  const bundler = args.value('bundler') ?? built?.bundler ?? DEFAULT_BUNDLER;
  const manifest = await buildReleaseManifest({
    dir,
    name,
    version,
    target,
    bundler,
    ...(built && bundler === built.bundler && { bundlerVersion: built.bundlerVersion }),
    cwd: context.cwd,
    entry: args.value('entry'),
    exposes: args.values('expose'),
    note: output.note,
  });
  const signed = signRelease(manifest, key);

  const client = connect(args, context.env, context.cwd, output);
  const reason = args.value('reason');
  let uploaded = { files: 0, bytes: 0 };
  let answer: PublishAnswer;
  if (args.value('root')) {
    const upload = async (publishers: string[]) => {
      await gatePublish(client, signed.manifest, dir, output.note, publishers);
      uploaded = await uploadMissing(client, name, dir, signed.manifest.files, signed.signature.keyId, output);
    };
    const privateKeyPem = await readFile(keyFile, 'utf8');
    answer = await publishRootMode(client, args, context.cwd, output, {
      name,
      version,
      signed,
      privateKeyPem,
      ...(tag && { tag }),
      ...(reason && { reason }),
      upload,
    });
  } else {
    await checkPublishable(client, name, version, signed.signature.keyId);
    await gatePublish(client, signed.manifest, dir, output.note);
    uploaded = await uploadMissing(client, name, dir, signed.manifest.files, signed.signature.keyId, output);
    answer = await client.publish(name, { ...signed, ...(tag && { tag }), ...(reason && { reason }) });
  }

  const ms = Math.round(performance.now() - started);
  const files = signed.manifest.files.length;
  const roles = answer.releasesVersion ? { releasesVersion: answer.releasesVersion, tagsVersion: answer.tagsVersion ?? null } : {};
  output.result({ name, version, files, uploaded, tag: tag ?? null, keyId: signed.signature.keyId, ...roles, ms }, () => [
    `published ${name}@${version}: ${files} files (${uploaded.files} uploaded, ${formatBytes(uploaded.bytes)})${tag ? `, tagged ${tag}` : ''}${answer.releasesVersion ? `, listed by ${name}.releases v${answer.releasesVersion}` : ''}, in ${ms} ms`,
  ]);
}

// --- internal ---

interface RecordedBuild {
  name: string;
  bundler: string;
  bundlerVersion: string;
  /** The target of a container whose build info is at the top of DIR. */
  target?: string;
}

// What `modmesh build` recorded beside the container(s) of DIR: the first modmesh-build.json,
// at the top or in a target directory. Only read for defaults; the files themselves decide the release.
async function readBuildInfo(dir: string): Promise<RecordedBuild | undefined> {
  for (const place of ['', ...Object.values(RELEASE_TARGET_DIRS)]) {
    const text = await readFile(path.join(dir, place, RELEASE_BUILD_INFO), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      const info = JSON.parse(text) as Partial<RecordedBuild>;
      if (typeof info.name === 'string' && isShortText(info.bundler) && isShortText(info.bundlerVersion)) {
        return {
          name: info.name,
          bundler: info.bundler,
          bundlerVersion: info.bundlerVersion,
          ...(place === '' && typeof info.target === 'string' && { target: info.target }),
        };
      }
    } catch {}
  }
  return undefined;
}

function isTarget(value: string): value is (typeof TARGETS)[number] {
  return (TARGETS as readonly string[]).includes(value);
}

// The registry decides, but these two refusals are cheap to find out before uploading a whole
// build: an existing version, and a key nobody registered for the remote.
async function checkPublishable(client: RegistryClient, name: string, version: string, keyId: string): Promise<void> {
  const remote = await client.remote(name).catch((error: unknown) => {
    // Nothing published and no key registered yet: the key check below says what to do.
    if (isModmeshError(error) && error.code === 'MODMESH_NOT_FOUND') return undefined;
    throw error;
  });
  if (remote?.versions.some((entry) => entry.version === version)) {
    throw new ModmeshError('MODMESH_VERSION_EXISTS', `${name}@${version} is already published; releases are immutable`, { remote: name, version });
  }
  if (!remote?.keys.some((entry) => entry.keyId === keyId)) {
    throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `${name}@${version}: your key ${keyId} is not registered for ${name} at ${client.url}`, {
      remote: name,
      version,
      hint: `Have an admin register its public key: modmesh trust add ${name} <your .pub file>.`,
    });
  }
}

// Uploads each distinct file the registry does not store yet; returns how many and how much.
async function uploadMissing(
  client: RegistryClient,
  name: string,
  dir: string,
  files: FileEntry[],
  keyId: string,
  output: Output,
): Promise<{ files: number; bytes: number }> {
  const distinct = [...new Map(files.map((file) => [file.sha256, file])).values()];
  const stored = await mapLimit(distinct, UPLOAD_CONCURRENCY, (file) => client.hasBlob(file.sha256));
  const missing = distinct.filter((_, index) => !stored[index]);
  let done = 0;
  let bytes = 0;
  let lastStep = -1;
  try {
    await mapLimit(missing, UPLOAD_CONCURRENCY, async function upload(file) {
      // The key that signs the release: the registry refuses the files of a key it would refuse.
      await client.uploadBlob(name, file.sha256, await readFile(path.join(dir, file.path)), keyId);
      done += 1;
      bytes += file.size;
      const step = Math.floor((done * 100) / missing.length / PLAIN_PROGRESS_STEP_PERCENT);
      if (output.interactive || step !== lastStep) output.progress(`uploading ${done}/${missing.length} files, ${formatBytes(bytes)}`);
      lastStep = step;
    });
  } finally {
    output.progressDone();
  }
  return { files: missing.length, bytes };
}

// What a release manifest records of a build: 1 to 64 characters.
function isShortText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

/** `fn` over `items`, at most `limit` at a time; results in the items' order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
