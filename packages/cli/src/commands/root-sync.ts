import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import {
  addSignature,
  createTrustedSet,
  documentBytes,
  type Envelope,
  loadTrustedRoot,
  ROOT_MAX_BYTES,
  ROOT_WALK_MAX,
  type RootSigned,
  rootFetch,
  signingKeyids,
  startCycle,
  type TargetsSigned,
  updateRoot,
  verifyRootChain,
} from '@modmesh/trust';
import { CLIENT_OPTIONS, type CommandSpec, type ParsedArgs } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput } from '../output.js';
import { newestIn, readEnvelope, versionsIn, writeEnvelope } from '../root-files.js';
import { crypto, ROOT_OPTION, signerFromFile, trustedRootBytes, validSigners } from '../trust.js';
import { describeDocument } from './root-inspect.js';

export const rootSignCommand: CommandSpec = {
  name: 'root sign',
  summary: 'add your signature to a root or targets document (offline)',
  arguments: 'FILE',
  description: [
    'Signs FILE (N.root.json or N.targets.json in a root directory) with your key, after showing what it',
    'is. A root counts the keys of root N-1 (next to it) and its own; a targets counts the root keys of the',
    'newest root beside it. A key the document does not name is refused (MODMESH_KEY_NOT_TRUSTED). No network.',
  ].join('\n'),
  options: { key: { type: 'string', value: 'FILE', required: true, description: 'your private key (.key)' }, json: CLIENT_OPTIONS.json! },
  examples: ['modmesh root sign trust/2.root.json --key ~/keys/alice-root.key'],
  run: async function runRootSign(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const file = path.resolve(context.cwd, args.positionals[0] ?? '');
    const envelope = await readEnvelope<{ _type?: string; version?: number }>(file);
    const { allowed, needs } = await whoSigns(file, envelope);
    const signer = await signerFromFile(args.need('key'), context.cwd);
    output.note(`signing ${envelope.signed._type} v${envelope.signed.version} (${path.basename(file)}) with key ${signer.keyid}:`);
    for (const line of await describeDocument(file, envelope)) output.note(`  ${line}`);
    const signed = await addSignature(envelope, signer, allowed);
    await writeEnvelope(file, signed);
    const counts = await Promise.all(needs.map(async (need) => ({ ...need, have: (await validSigners(signed, need.keys, need.keyids)).length })));
    output.result({ file, keyid: signer.keyid, signatures: counts.map(({ what, have, threshold }) => ({ what, have, threshold })) }, () => [
      `signed ${path.basename(file)}: ${counts.map(({ what, have, threshold }) => `${have} of ${threshold} ${what}`).join(', ')}`,
    ]);
  },
};

export const rootPushCommand: CommandSpec = {
  name: 'root push',
  summary: 'upload the roots and the targets of a root directory (admin)',
  arguments: '',
  description: [
    'Checks the chain of DIR/N.root.json from 1 (each signed by a threshold of the one before and of',
    "its own), checks that the registry's roots are the same documents, and pushes the newer ones in",
    'order, then the newest targets. Needs the admin token.',
  ].join('\n'),
  options: { dir: { type: 'string', value: 'DIR', required: true, description: 'the root directory' }, ...CLIENT_OPTIONS },
  examples: ['MODMESH_TOKEN=... modmesh root push --dir trust'],
  run: async function runRootPush(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const dir = path.resolve(context.cwd, args.need('dir'));
    const versions = await versionsIn(dir, 'root');
    if (versions[0] !== 1 || versions.some((version, index) => version !== index + 1)) {
      throw new ModmeshError('MODMESH_USAGE', `${dir} must hold every root from 1.root.json on (it has ${versions.join(', ') || 'none'})`);
    }
    const texts = await Promise.all(versions.map((version) => readEnvelope(path.join(dir, `${version}.root.json`)).then(documentBytes)));
    const chain = await verifyRootChain(await loadTrustedRoot(texts[0] as Uint8Array, crypto), texts, crypto);
    if (chain.refused) throw chain.refused;
    const client = connect(args, context.env, context.cwd, output);
    const pushed: string[] = [];
    for (const [index, bytes] of texts.entries()) {
      const at = await client.tufMetadata(`${index + 1}.root.json`, ROOT_MAX_BYTES);
      if (at) {
        if (Buffer.compare(Buffer.from(at), Buffer.from(bytes)) !== 0) {
          throw new ModmeshError(
            'MODMESH_ROOT_ROTATION_REFUSED',
            `the registry's root v${index + 1} is not the one in ${dir}: it follows another root of trust`,
            {
              hint: 'Check which root is right with `modmesh root inspect --registry URL`; never push over a root you did not make.',
            },
          );
        }
        continue;
      }
      await client.pushRoot(JSON.parse(new TextDecoder().decode(bytes)));
      pushed.push(`root v${index + 1}`);
    }
    const targets = await newestIn<TargetsSigned>(dir, 'targets');
    const there = await client.tufMetadata(`${targets.version}.targets.json`, 4 * 1024 * 1024);
    if (!there) {
      await client.pushTargets(targets.envelope as never);
      pushed.push(`targets v${targets.version}`);
    }
    output.result({ pushed, root: versions.at(-1), targets: targets.version }, () => [
      pushed.length > 0 ? `pushed ${pushed.join(', ')}` : 'the registry has these already',
    ]);
  },
};

export const rootPullCommand: CommandSpec = {
  name: 'root pull',
  summary: "download the registry's newest root, verified from a trusted one",
  arguments: '',
  description: [
    "Walks the registry's roots from the one you trust (--root, or MODMESH_ROOT), each signed by a threshold",
    'of the one before and of its own, and writes the newest to --out. Without --root it starts from the',
    "registry's 1.root.json, which proves nothing by itself: compare its keys with your root ceremony's",
    '(`modmesh root inspect FILE`) before configuring hosts with it.',
  ].join('\n'),
  options: { out: { type: 'string', value: 'FILE', required: true, description: 'where to write the root' }, root: ROOT_OPTION, ...CLIENT_OPTIONS },
  examples: ['modmesh root pull --root trust/1.root.json --out root.json'],
  run: async function runRootPull(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const client = connect(args, context.env, context.cwd, output);
    let start: Uint8Array;
    if (args.value('root')) start = await trustedRootBytes(args, context.cwd, 'root pull');
    else {
      output.note("warning: no --root given: starting from the registry's own 1.root.json; check its keys out of band");
      const first = await client.tufMetadata('1.root.json', ROOT_MAX_BYTES);
      if (!first) throw new ModmeshError('MODMESH_NOT_FOUND', `${client.url} has no root of trust yet`, { hint: 'Push one: `modmesh root push --dir DIR`.' });
      start = first;
    }
    let cycle = startCycle(createTrustedSet(await loadTrustedRoot(start, crypto)), Date.now());
    for (let walked = 0; walked < ROOT_WALK_MAX; walked += 1) {
      const fetch = rootFetch(cycle);
      const bytes = await client.tufMetadata(fetch.file, fetch.maxBytes);
      if (!bytes) break;
      cycle = await updateRoot(cycle, bytes, crypto);
    }
    const out = path.resolve(context.cwd, args.need('out'));
    await writeFile(out, cycle.root.text);
    output.result({ out, version: cycle.root.signed.version, expires: cycle.root.signed.expires }, () => [
      `wrote root v${cycle.root.signed.version} (expires ${cycle.root.signed.expires}) to ${out}`,
    ]);
  },
};

// --- internal ---

interface Need {
  what: string;
  keys: RootSigned['keys'];
  keyids: string[];
  threshold: number;
}

// Which keys may sign a root or targets in a root directory, and which thresholds it must reach.
async function whoSigns(file: string, envelope: Envelope<{ _type?: string; version?: number }>): Promise<{ allowed: string[]; needs: Need[] }> {
  const dir = path.dirname(file);
  if (envelope.signed._type === 'root') {
    const signed = envelope.signed as unknown as RootSigned;
    const previous = signed.version > 1 ? await readEnvelope<RootSigned>(path.join(dir, `${signed.version - 1}.root.json`)).catch(() => undefined) : undefined;
    const needs: Need[] = [
      { what: `keys of root v${signed.version}`, keys: signed.keys, keyids: signed.roles.root.keyids, threshold: signed.roles.root.threshold },
    ];
    if (previous) {
      const old = previous.signed;
      needs.unshift({ what: `keys of root v${old.version}`, keys: old.keys, keyids: old.roles.root.keyids, threshold: old.roles.root.threshold });
    }
    return { allowed: signingKeyids('root', signed, { ...(previous && { root: previous.signed }) }), needs };
  }
  if (envelope.signed._type === 'targets' && path.basename(file).endsWith('.targets.json')) {
    const root = (await newestIn<RootSigned>(dir, 'root')).envelope.signed;
    const allowed = signingKeyids('targets', envelope.signed, { root });
    return { allowed, needs: [{ what: `targets keys of root v${root.version}`, keys: root.keys, keyids: allowed, threshold: root.roles.targets.threshold }] };
  }
  throw new ModmeshError('MODMESH_USAGE', `${file} is not a root or targets document of a root directory`, {
    hint: "A remote's releases or tags file is signed with `modmesh sign FILE --key KEY --root ROOT`.",
  });
}
