import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import { compactOf, type Envelope, ROOT_MAX_BYTES, type RootSigned, type TargetsSigned, type TufKey } from '@modmesh/trust';
import { CLIENT_OPTIONS, type CommandSpec, type ParsedArgs } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput } from '../output.js';
import { readEnvelope } from '../root-files.js';
import { validSigners } from '../trust.js';

export const rootInspectCommand: CommandSpec = {
  name: 'root inspect',
  summary: 'show a root or targets: keys, thresholds, signatures present against needed, changes',
  arguments: '[FILE]',
  description: [
    "Shows FILE (a root or targets of a root directory), or with --registry and no FILE the registry's",
    "newest root (as served: check it against your own). For a root: its version and expiry, each role's",
    'keys (with labels) and threshold, the signatures it has against those it needs (of the previous root',
    'too, for a rotation), and what changed from the previous version beside it. For a targets: each',
    "remote's publishers and movers.",
  ].join('\n'),
  options: CLIENT_OPTIONS,
  examples: ['modmesh root inspect trust/2.root.json', 'modmesh root inspect --registry http://127.0.0.1:4000'],
  run: async function runRootInspect(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const [given] = args.positionals;
    let file: string;
    let envelope: Envelope<{ _type?: string; version?: number }>;
    if (given) {
      file = path.resolve(context.cwd, given);
      envelope = await readEnvelope(file);
    } else {
      const client = connect(args, context.env, context.cwd, output);
      const bytes = await client.tufMetadata('root.json', ROOT_MAX_BYTES);
      if (!bytes) throw new ModmeshError('MODMESH_NOT_FOUND', `${client.url} has no root of trust yet`);
      file = `${client.url}/v1/tuf/metadata/root.json`;
      envelope = JSON.parse(new TextDecoder().decode(bytes));
    }
    const lines = await describeDocument(given ? file : '', envelope);
    output.result({ file, signed: envelope.signed, signatures: envelope.signatures.map((item) => item.keyid), summary: lines }, () => [file, ...lines]);
  },
};

/** What a root or targets says, in lines a person checks before signing or trusting it. */
export async function describeDocument(file: string, envelope: Envelope<{ _type?: string; version?: number }>): Promise<string[]> {
  const previous = async <T>(role: string) =>
    file && (envelope.signed.version ?? 0) > 1
      ? await readEnvelope<T>(path.join(path.dirname(file), `${(envelope.signed.version ?? 0) - 1}.${role}.json`)).catch(() => undefined)
      : undefined;
  if (envelope.signed._type === 'root') return describeRoot(envelope as Envelope<RootSigned>, await previous<RootSigned>('root'));
  if (envelope.signed._type === 'targets' && envelope.signed && 'delegations' in envelope.signed) {
    return describeTargets(envelope as Envelope<TargetsSigned>, await previous<TargetsSigned>('targets'));
  }
  const signed = envelope.signed as { version?: number; expires?: string; targets?: Record<string, unknown> };
  return [`version ${signed.version}, expires ${signed.expires}`, ...Object.keys(signed.targets ?? {}).map((target) => `  ${target}`)];
}

// --- internal ---

async function describeRoot(envelope: Envelope<RootSigned>, previous: Envelope<RootSigned> | undefined): Promise<string[]> {
  const root = envelope.signed;
  const label = (keyid: string) => root.x_modmesh?.labels?.[keyid] ?? previous?.signed.x_modmesh?.labels?.[keyid];
  const lines = [`root v${root.version}, expires ${root.expires}`];
  for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
    const keys = root.roles[role];
    lines.push(`${role}: ${keys.threshold} of ${keys.keyids.length}`);
    for (const keyid of keys.keyids) lines.push(`  ${keyid}  ${compactOf(root.keys[keyid] as TufKey)}${label(keyid) ? `  (${label(keyid)})` : ''}`);
  }
  const own = await validSigners(envelope, root.keys, root.roles.root.keyids);
  lines.push(`signatures: ${own.length} of ${root.roles.root.threshold} needed from its own root keys`);
  if (previous) {
    const old = previous.signed;
    const byOld = await validSigners(envelope, old.keys, old.roles.root.keyids);
    lines.push(`           ${byOld.length} of ${old.roles.root.threshold} needed from root v${old.version}'s keys`);
    for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
      const added = root.roles[role].keyids.filter((keyid) => !old.roles[role].keyids.includes(keyid));
      const removed = old.roles[role].keyids.filter((keyid) => !root.roles[role].keyids.includes(keyid));
      if (added.length > 0 || removed.length > 0 || root.roles[role].threshold !== old.roles[role].threshold) {
        lines.push(
          `changed from v${old.version}: ${role} +${added.length} -${removed.length} keys, threshold ${old.roles[role].threshold} -> ${root.roles[role].threshold}`,
        );
      }
    }
  }
  return lines;
}

function describeTargets(envelope: Envelope<TargetsSigned>, previous: Envelope<TargetsSigned> | undefined): string[] {
  const targets = envelope.signed;
  const lines = [`targets v${targets.version}, expires ${targets.expires}, signatures: ${envelope.signatures.length}`];
  const roles = targets.delegations?.roles ?? [];
  for (const role of roles) {
    lines.push(`${role.name}: ${role.threshold} of ${role.keyids.length}`);
    for (const keyid of role.keyids) lines.push(`  ${keyid}  ${compactOf(targets.delegations?.keys[keyid] as TufKey)}`);
  }
  if (previous) {
    const before = new Map((previous.signed.delegations?.roles ?? []).map((role) => [role.name, role.keyids]));
    for (const role of roles) {
      const old = before.get(role.name);
      if (!old) lines.push(`changed from v${previous.signed.version}: ${role.name} added`);
      else if (old.join() !== role.keyids.join())
        lines.push(`changed from v${previous.signed.version}: ${role.name} keys ${old.length} -> ${role.keyids.length}`);
    }
    for (const name of before.keys()) if (!roles.some((role) => role.name === name)) lines.push(`changed from v${previous.signed.version}: ${name} removed`);
  }
  return lines;
}
