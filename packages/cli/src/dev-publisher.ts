import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegistryClient } from '@modmesh/api';
import { isModmeshError, keyIdOf, ModmeshError } from '@modmesh/manifest';
import semver from 'semver';
import { type CommandSpec, parseCommandArgs } from './args.js';
import { keysGenerateCommand, tokenCreateCommand, trustAddCommand } from './commands/keys.js';
import { publishCommand } from './commands/publish.js';
import { devRootRefusal, devRootSigning } from './dev-root.js';
import type { CliContext } from './output.js';
import { listFiles } from './release.js';

/** Publishes one remote's dev builds: its dev key, its publish token, and a new version each time. */
export interface DevPublisher {
  readonly publicKeyFile: string;
  /** What the tag pointed at when the session started (hosts following it run that until the first dev build). */
  readonly tagged: string | undefined;
  /** Publishes the release directory as the next dev version and points the tag at it; `unchanged` when it holds what the last one did. */
  publish(dir: string): Promise<{ version: string; uploaded: number } | 'unchanged'>;
}

export interface DevPublisherOptions {
  name: string;
  /** Where dev keys and tokens are kept (`.modmesh/dev`, as `npm start` keeps them). */
  devDir: string;
  /** The registry (reads). */
  client: RegistryClient;
  /** The admin token, when one was given (else the local registry's, as every command finds it): needed once, to register the dev key and make a token. */
  adminToken: string | undefined;
  tag: string;
  context: CliContext;
  /** The root of trust to publish signed with, when the registry's root delegates the remote (default DEV_DIR/trust/1.root.json, as `npm start` makes it). */
  root?: string;
  /** The mover key that signs each move of the tag then (default DEV_DIR/mover.key). */
  moverKey?: string;
}

/**
 * The dev publisher of a remote, made once and kept under `devDir` like `npm start`'s: a key pair
 * (`NAME.key`, `NAME.pub`) registered for the remote at the registry, and a publish token scoped
 * to it (`NAME.token`). The admin token is needed only the first time (or for a registry that
 * does not know them yet). Each publish goes through `modmesh publish` itself, as a new version
 * `X.Y.(Z+1)-dev.N`: N counts up from the highest dev version the registry has for that base, X.Y.Z
 * being the newest release; a prerelease, so that ranges (`^1`) never pick one up and the publish
 * gate does not hold it to a contract, and always higher than the one before, so that hosts
 * following the tag accept it.
 */
export async function createDevPublisher(options: DevPublisherOptions): Promise<DevPublisher> {
  const { name, devDir, client } = options;
  const keyFile = path.join(devDir, `${name}.key`);
  const publicKeyFile = path.join(devDir, `${name}.pub`);
  const signing = await devRootSigning({
    name,
    tag: options.tag,
    client,
    keyFile,
    root: options.root ?? path.join(devDir, DEV_ROOT_FILE),
    moverKey: options.moverKey ?? path.join(devDir, DEV_MOVER_KEY),
  });
  mkdirSync(devDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (!existsSync(keyFile)) await run(keysGenerateCommand, ['--out', devDir, '--name', name], options);
  const keyId = keyIdOf(readFileSync(publicKeyFile, 'utf8').trim());

  const remote = await client.remote(name).catch((error: unknown) => {
    if (isModmeshError(error) && error.code === 'MODMESH_NOT_FOUND') return undefined;
    throw error;
  });
  // In root mode the root names the publishers: nothing to register.
  if (!signing && !remote?.keys.some((key) => key.keyId === keyId))
    await asAdmin(trustAddCommand, [name, publicKeyFile, '--label', 'modmesh dev key'], options);
  const signed = signing ? ['--root', signing.root, '--mover-key', signing.moverKey] : [];
  const token = await publishToken(options);
  const versions = remote?.versions.map((entry) => entry.version) ?? [];
  let next = nextDevVersion(versions);
  let lastDigest: string | undefined;

  return {
    publicKeyFile,
    tagged: remote?.tags.find((state) => state.tag === options.tag)?.version,
    async publish(dir) {
      const digest = await digestOf(dir);
      if (digest === lastDigest) return 'unchanged';
      for (let attempt = 0; ; attempt++) {
        const version = next;
        next = semver.inc(version, 'prerelease', 'dev') as string;
        try {
          const args = [dir, '--name', name, '--version', version, '--tag', options.tag, '--key', keyFile, '--reason', 'modmesh dev', '--json'];
          const published = JSON.parse(await run(publishCommand, [...args, ...signed, '--registry', client.url, '--token', token], options)) as {
            uploaded: { files: number };
          };
          lastDigest = digest;
          return { version, uploaded: published.uploaded.files };
        } catch (error) {
          // Another dev session published this version meanwhile: the next one.
          if (attempt < MAX_VERSION_RETRIES && isModmeshError(error) && error.code === 'MODMESH_VERSION_EXISTS') continue;
          // The remote's roles were signed since the session started, or the registry closed legacy mode.
          if (isModmeshError(error) && error.code === 'MODMESH_SIGNATURE_MISSING') throw devRootRefusal(options, error.message, error);
          throw error;
        }
      }
    },
  };
}

/** The first dev version after `versions`: `X.Y.(Z+1)-dev.N` past the newest release X.Y.Z and any dev version of that base. */
export function nextDevVersion(versions: readonly string[]): string {
  const releases = versions.filter((version) => semver.valid(version) && !semver.prerelease(version)).sort(semver.rcompare);
  const base = releases[0] ? (semver.inc(releases[0], 'patch') as string) : '0.0.0';
  const taken = versions
    .filter((version) => semver.valid(version) && `${semver.major(version)}.${semver.minor(version)}.${semver.patch(version)}` === base)
    .map((version) => semver.prerelease(version))
    .filter((parts): parts is [string, number] => parts?.length === 2 && parts[0] === 'dev' && typeof parts[1] === 'number')
    .map(([, number]) => number);
  return `${base}-dev.${taken.length > 0 ? Math.max(...taken) + 1 : 1}`;
}

// --- internal ---

// Where `npm start` keeps the dev root of trust and the dev mover key, under the dev directory.
const DEV_ROOT_FILE = 'trust/1.root.json';
const DEV_MOVER_KEY = 'mover.key';
// Keys and tokens are secrets: the directory is its owner's.
const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;
const MAX_VERSION_RETRIES = 5;

// A command that needs the admin token: the one given, or the local registry's (as every command finds it).
async function asAdmin(command: CommandSpec, argv: string[], options: DevPublisherOptions): Promise<string> {
  try {
    return await run(command, [...argv, '--registry', options.client.url, ...(options.adminToken ? ['--token', options.adminToken] : [])], options);
  } catch (error) {
    if (!isModmeshError(error) || (error.code !== 'MODMESH_AUTH_REQUIRED' && error.code !== 'MODMESH_FORBIDDEN')) throw error;
    // Refused with the admin token: the registry's root of trust sets the remote's keys (or it runs with --require-signed-tags).
    if (error.code === 'MODMESH_FORBIDDEN' && (await options.client.whoami().catch(() => undefined))?.role === 'admin') {
      throw devRootRefusal(options, error.message, error);
    }
    throw new ModmeshError(
      error.code,
      `${options.name}: the dev publisher (${path.join(options.devDir, options.name)}.pub and a publish token) is not set up at ${options.client.url}, and setting it up needs the admin token`,
      {
        remote: options.name,
        hint: "Give the registry's admin token once (MODMESH_TOKEN=... modmesh dev, or --token); a registry started by `modmesh registry start` here keeps it in .modmesh/registry/admin-token.",
        cause: error,
      },
    );
  }
}

// The remote's dev publish token: the one kept, while the registry still takes it for this remote; else a new one.
async function publishToken(options: DevPublisherOptions): Promise<string> {
  const file = path.join(options.devDir, `${options.name}.token`);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    const { createRegistryClient } = await import('@modmesh/api');
    const whoami = await createRegistryClient({ url: options.client.url, token: kept })
      .whoami()
      .catch(() => undefined);
    if (whoami?.role === 'publish' && whoami.remote === options.name) return kept;
  }
  const created = JSON.parse(await asAdmin(tokenCreateCommand, ['--remote', options.name, '--label', 'modmesh dev', '--json'], options)) as { token: string };
  writeFileSync(file, `${created.token}\n`, { mode: PRIVATE_FILE_MODE });
  return created.token;
}

// A command of this CLI, run in this process as `modmesh` would run it; what it prints is returned, not shown.
async function run(command: CommandSpec, argv: string[], options: DevPublisherOptions): Promise<string> {
  let stdout = '';
  const context: CliContext = { ...options.context, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } };
  await command.run(parseCommandArgs(command, argv, options.context.env), context);
  return stdout;
}

// What a release directory holds, as one digest: the same build twice is published once.
async function digestOf(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(dir))
    hash
      .update(`${file}\0`)
      .update(await readFile(path.join(dir, file)))
      .update('\0');
  return hash.digest('hex');
}
