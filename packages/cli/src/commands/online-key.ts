import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import { keyIdOf, tufKeyFromCompact } from '@modmesh/trust';
import { type CommandSpec, JSON_OPTION, type ParsedArgs } from '../args.js';
import { LOCAL_DATA_DIR } from '../connect.js';
import { type CliContext, createOutput } from '../output.js';
import { crypto } from '../trust.js';
import { loadRegistry } from './registry-module.js';

const DATA_OPTION = { type: 'string', value: 'DIR', default: LOCAL_DATA_DIR, description: "the registry's data dir" } as const;

export const onlineKeyPrintCommand: CommandSpec = {
  name: 'registry online-key',
  summary: "print or rotate the registry's online key (timestamp and snapshot)",
  arguments: 'print|rotate',
  description: [
    "print: the public key of the registry's online key (`<data>/online-key`, and `online-key.next` during a",
    'rotation), or of --file: give it to `modmesh root create --online-key` or `root rotate --online-key`.',
    'rotate: makes `<data>/online-key.next` (kept if there is one) and prints it. Name it in a new root',
    '(`modmesh root rotate --online-key ...`, sign, push): the registry then signs with it. --promote',
    'afterwards makes it `online-key` (the old one is kept as online-key.old). The key never goes in the database.',
  ].join('\n'),
  options: {
    data: DATA_OPTION,
    file: { type: 'string', value: 'FILE', env: 'MODMESH_ONLINE_KEY_FILE', description: 'print: a key file given to replicas instead' },
    promote: { type: 'boolean', description: 'rotate: the new key is in use; make it online-key' },
    json: JSON_OPTION,
  },
  examples: ['modmesh registry online-key print --data .modmesh/registry', 'modmesh registry online-key rotate --data .modmesh/registry'],
  run: async function runOnlineKey(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const action = args.positionals[0];
    const dir = path.resolve(context.cwd, args.need('data'));
    const registry = await loadRegistry(`registry online-key ${action}`);
    if (action === 'print') {
      const files = args.value('file')
        ? args
            .need('file')
            .split(',')
            .map((file) => path.resolve(context.cwd, file.trim()))
        : [registry.ONLINE_KEY_FILE, registry.NEXT_ONLINE_KEY_FILE].map((name) => path.join(dir, name));
      const keys: { file: string; publicKey: string; keyid: string }[] = [];
      for (const file of files) {
        const publicKey = await registry.publicKeyOf(file).catch(() => undefined);
        if (publicKey) keys.push({ file, publicKey, keyid: await keyIdOf(tufKeyFromCompact(publicKey), crypto) });
      }
      if (keys.length === 0) {
        throw new ModmeshError('MODMESH_ONLINE_KEY_MISSING', `no online key in ${files.join(', ')}`, {
          hint: 'An embedded registry makes one on its first start (`modmesh registry start --data DIR`); replicas are given one (MODMESH_ONLINE_KEY_FILE).',
        });
      }
      return output.result({ keys }, () => keys.map((key) => `${key.publicKey}  keyid ${key.keyid}  (${key.file})`));
    }
    if (action === 'rotate') {
      const rotated = await registry.rotateOnlineKey(dir, { promote: args.flag('promote') });
      return output.result(rotated, () => [
        rotated.promoted
          ? `online-key is now ${rotated.next}`
          : `${rotated.created ? 'made' : 'kept'} ${path.join(dir, registry.NEXT_ONLINE_KEY_FILE)}: ${rotated.next}`,
        ...(rotated.promoted ? [] : [`next: modmesh root rotate --online-key ${rotated.next} --dir ROOTDIR, sign it, modmesh root push`]),
      ]);
    }
    throw new ModmeshError('MODMESH_USAGE', `modmesh registry online-key needs print or rotate, not ${JSON.stringify(action)}`);
  },
};
