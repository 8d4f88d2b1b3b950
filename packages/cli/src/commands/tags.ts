import type { TagMove, TagsRoleAnswer } from '@modmesh/api';
import { CLIENT_OPTIONS, type CommandSpec, type OptionSpec, type ParsedArgs, releaseVersion, remoteName } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput } from '../output.js';
import { ROOT_OPTION } from '../trust.js';
import { moveSigned } from './tags-signed.js';

/** A tag move as the registry reports it. */
// What `--expect` takes to mean "the tag must not exist yet".
const NO_TAG = 'none';

/** The options of a move signed by a mover (root mode). */
const SIGNED_OPTIONS: Record<string, OptionSpec> = {
  key: { type: 'string', value: 'FILE', env: 'MODMESH_MOVER_KEY', description: "root mode: your tag mover's private key" },
  root: ROOT_OPTION,
  out: { type: 'string', value: 'FILE', description: 'root mode: write the signed NAME.tags to FILE instead of pushing it (more signatures needed)' },
  expires: { type: 'string', value: 'DURATION', description: 'root mode: how long NAME.tags is valid (default 365d)' },
};

export const tagSetCommand: CommandSpec = {
  name: 'tag set',
  summary: 'point a tag at a version (compare-and-swap)',
  arguments: 'NAME TAG VERSION',
  description: [
    'Moves TAG of remote NAME to VERSION, atomically and only if the tag still points where you',
    'expect: --expect gives that version ("none" if the tag must not exist yet). Without --expect the',
    "tag's current target is read first, so a move made by someone else in between is refused with",
    'MODMESH_TAG_CONFLICT rather than silently overwritten. Every move is in the audit log.',
    '',
    'Root mode (--key and --root): you sign the move. The registry is verified from the trusted root,',
    'NAME.tags N+1 is built on the signed current state and shown, signed with your mover key and pushed',
    '(or written to --out when more movers must sign: `modmesh sign`, then `modmesh tag push`).',
    '--rollback is required exactly when VERSION is below the current one.',
  ].join('\n'),
  options: {
    expect: { type: 'string', value: 'VERSION', description: `the version the tag points at now, or "${NO_TAG}" (default: read it first)` },
    reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log (and the signed tag state)' },
    ...SIGNED_OPTIONS,
    rollback: { type: 'boolean', description: 'root mode: this move goes back to an older version' },
    ...CLIENT_OPTIONS,
  },
  examples: [
    'modmesh tag set auth stable 1.1.0 --expect 1.0.0 --reason "canary was clean for a day"',
    'modmesh tag set auth stable 1.2.0 --key keys/alice-mover.key --root root.json --reason "canary was clean"',
  ],
  run: async function runTagSet(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const [nameArgument = '', tag = '', versionArgument = ''] = args.positionals;
    const name = remoteName(nameArgument);
    const version = releaseVersion(versionArgument, name);
    const expectArgument = args.value('expect');
    const client = connect(args, context.env, context.cwd, output);
    if (rootMode(args)) {
      const reason = args.value('reason');
      const answer = await moveSigned(client, args, context.cwd, output, { name, tag, version, rollback: args.flag('rollback'), ...(reason && { reason }) });
      return output.result(answer, () => signedLines(answer));
    }
    let expect: string | null;
    if (expectArgument === undefined) {
      const { tags } = await client.tags(name);
      expect = tags.find((state) => state.tag === tag)?.version ?? null;
    } else {
      expect = expectArgument === NO_TAG ? null : releaseVersion(expectArgument, name);
    }
    const reason = args.value('reason');
    const move = await client.moveTag(name, tag, { version, expect, ...(reason && { reason }) });
    output.result(move, () => [describeMove(move)]);
  },
};

export const rollbackCommand: CommandSpec = {
  name: 'rollback',
  summary: 'move a tag back to where it pointed before its last move',
  arguments: 'NAME TAG',
  description: [
    'Moves TAG of remote NAME back over its newest move that has not been rolled back yet; repeated',
    'rollbacks walk further back (1.2.0 -> 1.1.0 -> 1.0.0). Logged as a rollback in the audit log, which',
    'is what lets hosts accept an older release for the tag.',
  ].join('\n'),
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log' },
    ...SIGNED_OPTIONS,
    ...CLIENT_OPTIONS,
  },
  examples: ['modmesh rollback auth stable --reason "1.1.0 rejects valid tokens"', 'modmesh rollback auth stable --key keys/alice-mover.key --root root.json'],
  run: async function runRollback(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const [nameArgument = '', tag = ''] = args.positionals;
    const name = remoteName(nameArgument);
    const client = connect(args, context.env, context.cwd, output);
    const reason = args.value('reason');
    if (rootMode(args)) {
      const answer = await moveSigned(client, args, context.cwd, output, { name, tag, rollback: true, ...(reason && { reason }) });
      return output.result(answer, () => signedLines(answer));
    }
    const move = await client.rollback(name, tag, reason ? { reason } : {});
    output.result(move, () => [describeMove(move)]);
  },
};

// --- internal ---

function rootMode(args: ParsedArgs): boolean {
  return args.value('key') !== undefined || args.value('root') !== undefined;
}

function signedLines(answer: TagsRoleAnswer | { out: string }): string[] {
  if ('out' in answer) return [`wrote ${answer.out}: add signatures with \`modmesh sign FILE --key\`, then \`modmesh tag push FILE\``];
  return answer.moves.map(
    (move) =>
      `${move.tag}: ${move.from ?? '(new)'} -> ${move.to}${move.kind === 'rollback' ? ' (rollback)' : ''}, seq ${move.seq}, ${answer.name}.tags v${answer.tagsVersion}`,
  );
}

function describeMove(move: TagMove): string {
  return `${move.tag}: ${move.from ?? '(new)'} -> ${move.to}${move.kind === 'rollback' ? ' (rollback)' : ''}`;
}
