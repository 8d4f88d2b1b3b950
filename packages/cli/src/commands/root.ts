import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import {
  addRemote,
  compactOf,
  draftRoot,
  draftTargets,
  keyIdOf,
  type RootSigned,
  removeKey,
  rotateRoot,
  type TargetsSigned,
  type TufKey,
} from '@modmesh/trust';
import { CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, type ParsedArgs, remoteName } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput } from '../output.js';
import { newestIn, versionsIn, writeEnvelope } from '../root-files.js';
import { crypto, expiresIn, publicKeyArgument } from '../trust.js';

// Design 16 §2.2: root and targets live a year; a root signed by one key is allowed, with a warning.
const ROOT_EXPIRY_DAYS = 365;
const DIR_OPTION = { type: 'string', value: 'DIR', required: true, description: 'the root directory: N.root.json and N.targets.json' } as const;
const EXPIRES_OPTION = { type: 'string', value: 'DURATION', description: `how long it is valid: 365d, 12h (default ${ROOT_EXPIRY_DAYS}d)` } as const;

export const rootCreateCommand: CommandSpec = {
  name: 'root create',
  summary: 'start a root of trust: unsigned drafts of root v1 and targets v1',
  arguments: '',
  description: [
    'Writes DIR/1.root.json and DIR/1.targets.json, unsigned. The root names the offline root keys',
    '(--root-key, a threshold of them signs every new root), the targets keys (the root keys unless',
    "--targets-key), and the registry's online key for timestamp and snapshot (--online-key: the output",
    'of `modmesh registry online-key print`). Sign each with a threshold of root keys (`modmesh root',
    'sign`), add remotes (`modmesh root add-remote`), then `modmesh root push`. Nothing leaves this machine.',
  ].join('\n'),
  options: {
    'root-key': { type: 'string', value: 'PUB', multiple: true, required: true, description: 'a root public key (.pub file or ed25519:...)' },
    threshold: { type: 'string', value: 'N', default: '2', description: 'how many root keys sign a root' },
    'online-key': {
      type: 'string',
      value: 'PUB',
      multiple: true,
      required: true,
      description: "the registry's online key (`modmesh registry online-key print`)",
    },
    'targets-key': { type: 'string', value: 'PUB', multiple: true, description: 'keys that sign targets (default: the root keys)' },
    'targets-threshold': { type: 'string', value: 'N', description: 'how many of them sign targets (default: the root threshold)' },
    expires: EXPIRES_OPTION,
    dir: DIR_OPTION,
    json: JSON_OPTION,
  },
  examples: ['modmesh root create --root-key alice.pub --root-key bob.pub --root-key carol.pub --threshold 2 --online-key ed25519:... --dir trust'],
  run: async function runRootCreate(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const dir = path.resolve(context.cwd, args.need('dir'));
    const rootKeys = await keysOf(args.values('root-key'), context.cwd);
    const targetsKeys = args.values('targets-key').length > 0 ? await keysOf(args.values('targets-key'), context.cwd) : undefined;
    const threshold = count(args, 'threshold') as number;
    if (threshold === 1) output.note('warning: a root signed by one key: whoever has that key can replace the whole root of trust. Use 2 of 3.');
    const expires = expiresIn(args.value('expires'), ROOT_EXPIRY_DAYS);
    const root = await draftRoot(
      {
        rootKeys,
        threshold,
        onlineKeys: await keysOf(args.values('online-key'), context.cwd),
        ...(targetsKeys && { targetsKeys }),
        ...(count(args, 'targets-threshold') && { targetsThreshold: count(args, 'targets-threshold') }),
        expires,
      },
      crypto,
    );
    const targets = draftTargets(expires);
    await writeEnvelope(path.join(dir, '1.root.json'), root, { create: true });
    await writeEnvelope(path.join(dir, '1.targets.json'), targets, { create: true });
    output.result({ dir, root: 1, targets: 1, rootKeys: root.signed.roles.root.keyids, threshold, expires }, () => [
      `wrote ${path.join(dir, '1.root.json')} and 1.targets.json (unsigned drafts, valid until ${expires})`,
      `root keys: ${root.signed.roles.root.keyids.length}, ${threshold} sign; online key ${root.signed.roles.timestamp.keyids.join(', ')}`,
      `next: modmesh root add-remote NAME --publisher P.pub --mover M.pub --dir ${args.need('dir')}; modmesh root sign FILE --key ROOT.key (x${threshold}); modmesh root push --dir ${args.need('dir')}`,
    ]);
  },
};

export const rootAddRemoteCommand: CommandSpec = {
  name: 'root add-remote',
  summary: "delegate a remote's releases and tags: an unsigned targets N+1",
  arguments: 'NAME',
  description: [
    'Writes DIR/N+1.targets.json from the newest targets in DIR, delegating NAME.releases to its publishers',
    '(the CI keys that sign releases) and NAME.tags to its tag movers. --publishers-from-registry takes the',
    'publisher keys the registry has registered for NAME today (the migration from legacy mode). Sign it',
    'with the targets keys (`modmesh root sign`), then `modmesh root push`.',
  ].join('\n'),
  options: {
    publisher: { type: 'string', value: 'PUB', multiple: true, description: 'a publisher public key (.pub or ed25519:...)' },
    'publishers-from-registry': { type: 'boolean', description: 'add the publisher keys the registry has for NAME' },
    'publisher-threshold': { type: 'string', value: 'N', default: '1', description: 'how many publishers sign NAME.releases' },
    mover: { type: 'string', value: 'PUB', multiple: true, required: true, description: 'a tag mover public key' },
    'mover-threshold': { type: 'string', value: 'N', default: '1', description: 'how many movers sign NAME.tags' },
    expires: EXPIRES_OPTION,
    dir: DIR_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: ['modmesh root add-remote auth --publisher keys/auth-ci.pub --mover keys/alice-mover.pub --dir trust'],
  run: async function runAddRemote(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const name = remoteName(args.positionals[0] ?? '');
    const dir = path.resolve(context.cwd, args.need('dir'));
    const publishers = await keysOf(args.values('publisher'), context.cwd);
    if (args.flag('publishers-from-registry')) {
      const { keys } = await connect(args, context.env, context.cwd, output).keys(name);
      publishers.push(
        ...(await keysOf(
          keys.map((key) => key.publicKey),
          context.cwd,
        )),
      );
    }
    const current = await newestIn<TargetsSigned>(dir, 'targets');
    const next = await addRemote(
      current.envelope.signed,
      {
        remote: name,
        publishers,
        publisherThreshold: count(args, 'publisher-threshold') as number,
        movers: await keysOf(args.values('mover'), context.cwd),
        moverThreshold: count(args, 'mover-threshold') as number,
        expires: expiresIn(args.value('expires'), ROOT_EXPIRY_DAYS),
      },
      crypto,
    );
    const file = path.join(dir, `${next.signed.version}.targets.json`);
    await writeEnvelope(file, next, { create: true });
    output.result({ file, version: next.signed.version, remote: name, publishers: publishers.length }, () => [
      `wrote ${file} (unsigned): ${name}.releases signed by ${publishers.length} publisher key(s), ${name}.tags by ${args.values('mover').length} mover key(s)`,
      `next: modmesh root sign ${path.relative(context.cwd, file)} --key ROOT.key, then modmesh root push --dir ${args.need('dir')}`,
    ]);
  },
};

export const rootRemoveKeyCommand: CommandSpec = {
  name: 'root remove-key',
  summary: 'revoke a publisher or mover key: an unsigned targets N+1',
  arguments: 'KEYID',
  description: [
    'Writes DIR/N+1.targets.json without KEYID (a TUF keyid, `modmesh root inspect` lists them) in any',
    "remote's roles, or only NAME's with --remote. Once pushed, releases signed only by that key are refused",
    'by hosts (rule R1), and the roles it signed must be signed again by the keys left (`releases refresh`).',
  ].join('\n'),
  options: { remote: { type: 'string', value: 'NAME', description: "only this remote's roles" }, expires: EXPIRES_OPTION, dir: DIR_OPTION, json: JSON_OPTION },
  examples: ['modmesh root remove-key 3f4c... --remote auth --dir trust'],
  run: async function runRemoveKey(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const keyid = args.positionals[0] ?? '';
    const dir = path.resolve(context.cwd, args.need('dir'));
    const current = await newestIn<TargetsSigned>(dir, 'targets');
    const remote = args.value('remote');
    const affected = (current.envelope.signed.delegations?.roles ?? [])
      .filter((role) => role.keyids.includes(keyid) && (!remote || role.name.startsWith(`${remote}.`)))
      .map((role) => role.name);
    const next = removeKey(current.envelope.signed, keyid, {
      ...(remote && { remote: remoteName(remote) }),
      expires: expiresIn(args.value('expires'), ROOT_EXPIRY_DAYS),
    });
    const file = path.join(dir, `${next.signed.version}.targets.json`);
    await writeEnvelope(file, next, { create: true });
    output.result({ file, version: next.signed.version, keyid, roles: affected }, () => [
      `wrote ${file} (unsigned) without key ${keyid} in ${affected.join(', ')}`,
      ...affected.map((role) => {
        const [name, kind] = [role.slice(0, role.lastIndexOf('.')), role.slice(role.lastIndexOf('.') + 1)];
        return `after pushing it: modmesh ${kind === 'releases' ? 'releases' : 'tag'} refresh ${name} --key KEY --root ROOT (signed by a key that stays)`;
      }),
    ]);
  },
};

export const rootRotateCommand: CommandSpec = {
  name: 'root rotate',
  summary: 'change root keys, thresholds or the online key: an unsigned root N+1',
  arguments: '',
  description: [
    'Writes DIR/N+1.root.json from the newest root in DIR with the keys given replaced (root keys, their',
    "threshold, the online key). It needs a threshold of signatures of root N's keys and of its own",
    '(`modmesh root inspect` shows both), then `modmesh root push`. Hosts walk to it one version at a time.',
  ].join('\n'),
  options: {
    'root-key': { type: 'string', value: 'PUB', multiple: true, description: 'the new root keys (default: unchanged)' },
    threshold: { type: 'string', value: 'N', description: 'the new root threshold (default: unchanged)' },
    'online-key': { type: 'string', value: 'PUB', multiple: true, description: 'the new online key (`modmesh registry online-key rotate`)' },
    expires: EXPIRES_OPTION,
    dir: DIR_OPTION,
    json: JSON_OPTION,
  },
  examples: ['modmesh root rotate --online-key ed25519:... --dir trust'],
  run: async function runRootRotate(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const dir = path.resolve(context.cwd, args.need('dir'));
    const current = await newestIn<RootSigned>(dir, 'root');
    const rootKeys = args.values('root-key').length > 0 ? await keysOf(args.values('root-key'), context.cwd) : undefined;
    const onlineKeys = args.values('online-key').length > 0 ? await keysOf(args.values('online-key'), context.cwd) : undefined;
    const threshold = count(args, 'threshold');
    const next = await rotateRoot(
      current.envelope.signed,
      {
        ...(rootKeys && { rootKeys }),
        ...(onlineKeys && { onlineKeys }),
        ...(threshold && { threshold }),
        expires: expiresIn(args.value('expires'), ROOT_EXPIRY_DAYS),
      },
      crypto,
    );
    const file = path.join(dir, `${next.signed.version}.root.json`);
    await writeEnvelope(file, next, { create: true });
    const versions = await versionsIn(dir, 'root');
    output.result({ file, version: next.signed.version, previous: versions.at(-2) ?? null }, () => [
      `wrote ${file} (unsigned): needs ${current.envelope.signed.roles.root.threshold} signatures of root v${current.version}'s keys and ${next.signed.roles.root.threshold} of its own`,
      `online key: ${next.signed.roles.timestamp.keyids.map((keyid) => compactOf(next.signed.keys[keyid] as TufKey)).join(', ')}`,
    ]);
  },
};

// --- internal ---

async function keysOf(values: string[], cwd: string): Promise<TufKey[]> {
  const keys = await Promise.all(values.map((value) => publicKeyArgument(value, cwd)));
  // The same key given twice counts once.
  const byId = new Map<string, TufKey>();
  for (const key of keys) byId.set(await keyIdOf(key, crypto), key);
  return [...byId.values()];
}

function count(args: ParsedArgs, name: string): number | undefined {
  const text = args.value(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^[1-9][0-9]{0,2}$/.test(text)) throw new ModmeshError('MODMESH_USAGE', `--${name} ${JSON.stringify(text)} is not a whole number from 1`);
  return value;
}
