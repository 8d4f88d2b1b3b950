import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatPublicKey, generatePublisherKeyPair, ModmeshError } from '@modmesh/manifest';
import { CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, type ParsedArgs, readUserFile, remoteName } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput } from '../output.js';

// A key file name, not a path: nothing can be written outside --out.
const KEY_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;
// Only the owner may read a private key.
const PRIVATE_KEY_MODE = 0o600;

export const keysGenerateCommand: CommandSpec = {
  name: 'keys generate',
  summary: 'make an Ed25519 publisher key pair',
  arguments: '',
  description: [
    'Writes DIR/NAME.key (the private key, PKCS#8 PEM, readable by you only) and DIR/NAME.pub (the',
    'public key). Sign releases with the .key file (`modmesh publish --key`); an admin registers the',
    '.pub file for a remote (`modmesh trust add`). An existing key is never overwritten.',
  ].join('\n'),
  options: {
    out: { type: 'string', value: 'DIR', required: true, description: 'the directory to write the key pair into' },
    name: { type: 'string', value: 'NAME', default: 'publisher', description: 'the file name of the key pair' },
    json: JSON_OPTION,
  },
  examples: ['modmesh keys generate --out keys --name auth-ci'],
  run: async function runKeysGenerate(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const name = args.need('name');
    if (!KEY_NAME.test(name))
      throw new ModmeshError('MODMESH_USAGE', `--name ${JSON.stringify(name)} is not a plain file name`, { hint: 'Use letters, digits, ".", "_" and "-".' });
    const dir = path.resolve(context.cwd, args.need('out'));
    const keyFile = path.join(dir, `${name}.key`);
    const pubFile = path.join(dir, `${name}.pub`);
    for (const file of [keyFile, pubFile]) {
      if (existsSync(file)) {
        throw new ModmeshError('MODMESH_USAGE', `${file} already exists; a key is never overwritten`, {
          hint: 'Choose another --name or --out (or delete the old pair yourself if you really mean to replace it).',
        });
      }
    }
    const pair = generatePublisherKeyPair();
    await mkdir(dir, { recursive: true });
    // "wx": fails rather than replaces a key that appeared since the check above.
    await writeFile(keyFile, pair.privateKeyPem, { mode: PRIVATE_KEY_MODE, flag: 'wx' });
    await writeFile(pubFile, `${pair.publicKey}\n`, { flag: 'wx' });
    output.result({ keyId: pair.keyId, privateKey: keyFile, publicKey: pubFile }, () => [
      `key id       ${pair.keyId}`,
      `private key  ${keyFile}  (keep it secret; sign with: modmesh publish --key ${path.relative(context.cwd, keyFile)})`,
      `public key   ${pubFile}  (register it: modmesh trust add NAME ${path.relative(context.cwd, pubFile)})`,
    ]);
  },
};

export const trustAddCommand: CommandSpec = {
  name: 'trust add',
  summary: "register a publisher's public key for a remote (admin)",
  arguments: 'NAME PUBKEY_FILE',
  description: [
    'Registers the public key in PUBKEY_FILE (from `modmesh keys generate`) as a publisher key of the',
    'remote NAME: the registry then accepts releases of NAME signed by its private key. A key trusted',
    'for one remote is not trusted for any other. Needs the admin token.',
  ].join('\n'),
  options: { label: { type: 'string', value: 'TEXT', description: 'who or what the key belongs to' }, ...CLIENT_OPTIONS },
  examples: ['MODMESH_TOKEN=$(cat .modmesh/registry/admin-token) modmesh trust add auth keys/auth-ci.pub --label "auth CI"'],
  run: async function runTrustAdd(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const [nameArgument = '', file = ''] = args.positionals;
    const name = remoteName(nameArgument);
    const text = await readUserFile(path.resolve(context.cwd, file), 'the public key file', 'Pass the .pub file from `modmesh keys generate`.');
    // A private key would be read as its public half; refuse it rather than send it anywhere.
    if (text.includes('PRIVATE KEY')) {
      throw new ModmeshError('MODMESH_KEY_INVALID', `${file} is a private key; it never leaves your machine`, { hint: 'Pass the .pub file of the pair.' });
    }
    const publicKey = formatPublicKey(text);
    const client = connect(args, context.env, context.cwd, output);
    const label = args.value('label');
    const added = await client.addKey(name, { publicKey, ...(label && { label }) });
    output.result(added, () => [`trusted key ${added.keyId} for ${name}: releases of ${name} signed with it are accepted`]);
  },
};

export const tokenCreateCommand: CommandSpec = {
  name: 'token create',
  summary: 'make a token: publish (one remote), read, or admin (admin)',
  arguments: '',
  description: [
    'Creates a token. A publish token may publish releases of one remote and move its tags, and nothing',
    'else; a read token reads (registries with --require-read-token); an admin token does what the',
    "registry's bootstrap admin token does, under its own name in the audit log. Each expires (publish 90",
    'days, admin 30, read 365 by default; at most 365) and can be revoked (`modmesh token revoke`). The',
    'registry keeps only its hash: it is printed once, here. Needs an admin token.',
  ].join('\n'),
  options: {
    role: { type: 'string', value: 'publish|read|admin', default: 'publish', description: 'what the token may do' },
    remote: { type: 'string', value: 'NAME', description: 'the remote a publish token may publish' },
    label: { type: 'string', value: 'TEXT', description: 'who or what the token is for' },
    expires: { type: 'string', value: 'DAYS', description: 'days until it expires, e.g. 90d (default by role)' },
    ...CLIENT_OPTIONS,
  },
  examples: [
    'MODMESH_TOKEN=$(cat .modmesh/registry/admin-token) modmesh token create --remote auth --label "auth CI"',
    'modmesh token create --role admin --label "ops: alice" --expires 7d',
  ],
  run: async function runTokenCreate(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const role = args.need('role');
    if (role !== 'publish' && role !== 'read' && role !== 'admin')
      throw new ModmeshError('MODMESH_USAGE', `--role must be publish, read or admin, not ${JSON.stringify(role)}`);
    const remoteArgument = args.value('remote');
    if (role === 'publish' && remoteArgument === undefined) throw new ModmeshError('MODMESH_USAGE', 'a publish token is for one remote: pass --remote NAME');
    const remote = role === 'publish' ? remoteName(remoteArgument ?? '') : undefined;
    const expires = args.value('expires');
    const days = expires === undefined ? undefined : Number(/^([1-9][0-9]{0,2})d?$/.exec(expires)?.[1] ?? Number.NaN);
    if (days !== undefined && Number.isNaN(days))
      throw new ModmeshError('MODMESH_USAGE', `--expires ${JSON.stringify(expires)} is not a number of days such as 90d`);
    const client = connect(args, context.env, context.cwd, output);
    const label = args.value('label');
    const created = await client.createToken({ role, ...(remote && { remote }), ...(label && { label }), ...(days && { expiresInDays: days }) });
    output.result(created, () => [
      `${role} token${remote ? ` for ${remote}` : ''}, id ${created.id}, expires ${created.expiresAt} (shown only this once; store it as a secret):`,
      '',
      `  ${created.token}`,
      '',
      ...(role === 'publish' ? [`use it: MODMESH_TOKEN=${created.token} modmesh publish DIR --name ${remote} --version X.Y.Z --key FILE`] : []),
    ]);
  },
};
