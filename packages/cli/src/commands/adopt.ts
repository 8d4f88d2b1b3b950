import path from 'node:path';
import { ModmeshError, verifyReleaseThreshold } from '@modmesh/manifest';
import { buildReleasesUpdate, buildTagsUpdate, checkTagsUpdate, type Envelope, type ReleasesSigned, type TagsSigned } from '@modmesh/trust';
import { CLIENT_OPTIONS, type CommandSpec, type OptionSpec, type ParsedArgs, remoteName } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput } from '../output.js';
import { readEnvelope } from '../root-files.js';
import { crypto, expiresIn, ROOT_OPTION, trustedRootBytes, type VerifiedRegistry, verifyRegistry } from '../trust.js';
import { ROLE_EXPIRY_DAYS, roleOfFile, signFile, signRole } from './tags-signed.js';

const SIGNING: Record<string, OptionSpec> = {
  key: { type: 'string', value: 'FILE', required: true, description: 'your private key (a publisher of NAME for releases, a mover for tags)' },
  root: ROOT_OPTION,
  expires: { type: 'string', value: 'DURATION', description: 'how long the role is valid (default 365d)' },
  ...CLIENT_OPTIONS,
};

export const releasesAdoptCommand: CommandSpec = {
  name: 'releases adopt',
  summary: 'sign NAME.releases v1 listing the releases already published (migration)',
  arguments: 'NAME',
  description: [
    'For a remote published in legacy mode: checks every published release against the publisher keys',
    "the root of trust now delegates for NAME (each release's own signature, rule R1), and signs",
    'NAME.releases v1 listing those that pass; the others are named and left out. Then `tags adopt`.',
  ].join('\n'),
  options: SIGNING,
  examples: ['modmesh releases adopt auth --key keys/auth-ci.key --root root.json'],
  run: async function runReleasesAdopt(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const name = remoteName(args.positionals[0] ?? '');
    const client = connect(args, context.env, context.cwd, output);
    const verified = await verifyRegistry(client, await trustedRootBytes(args, context.cwd, 'releases adopt'), { remotes: [name] });
    if (verified.role(`${name}.releases`)) throw adopted(name, 'releases');
    const delegation = verified.targets.delegations?.roles.find((role) => role.name === `${name}.releases`);
    const keys = (delegation?.keyids ?? []).map((keyid) => Buffer.from(verified.targets.delegations?.keys[keyid]?.keyval.public ?? '', 'hex'));
    let releases: ReleasesSigned | undefined;
    const left: string[] = [];
    const versions = (await client.remote(name)).versions.map((entry) => entry.version);
    for (const version of versions) {
      const document = await client.releaseDocument(name, version);
      try {
        await verifyReleaseThreshold(JSON.parse(new TextDecoder().decode(document)), {
          keys,
          threshold: delegation?.threshold ?? 1,
          crypto,
          expect: { name, version },
        });
      } catch (error) {
        left.push(`${version} (${(error as ModmeshError).code})`);
        continue;
      }
      releases = (
        await buildReleasesUpdate(releases, { remote: name, add: { version, document }, expires: expiresIn(args.value('expires'), ROLE_EXPIRY_DAYS) }, crypto)
      ).signed;
    }
    const v1: Envelope<ReleasesSigned> = {
      signed: releases
        ? { ...releases, version: 1 }
        : (await buildReleasesUpdate(undefined, { remote: name, expires: expiresIn(args.value('expires'), ROLE_EXPIRY_DAYS) }, crypto)).signed,
      signatures: [],
    };
    output.note(
      `signing ${name}.releases v1 listing ${Object.keys(v1.signed.targets).length} of ${versions.length} releases${left.length > 0 ? `; left out: ${left.join(', ')}` : ''}`,
    );
    const answer = await client.putReleasesRole(name, (await signRole(verified, `${name}.releases`, v1, args.need('key'), context.cwd)) as never);
    output.result({ ...answer, listed: Object.keys(v1.signed.targets).length, leftOut: left }, () => [
      `${name}.releases v1 lists ${Object.keys(v1.signed.targets).length} releases`,
    ]);
  },
};

export const tagsAdoptCommand: CommandSpec = {
  name: 'tags adopt',
  summary: "sign NAME.tags v1 continuing the registry's tags (migration)",
  arguments: 'NAME',
  description: [
    "Shows the registry's current tags of NAME and signs NAME.tags v1 with your mover key: each tag",
    'continues its legacy state (the same version, seq + 1), so hosts never see a tag go back. Every',
    'tag must point at a release NAME.releases lists (`releases adopt` first).',
  ].join('\n'),
  options: SIGNING,
  examples: ['modmesh tags adopt auth --key keys/alice-mover.key --root root.json'],
  run: async function runTagsAdopt(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const name = remoteName(args.positionals[0] ?? '');
    const client = connect(args, context.env, context.cwd, output);
    const verified = await verifyRegistry(client, await trustedRootBytes(args, context.cwd, 'tags adopt'), { remotes: [name] });
    if (verified.role(`${name}.tags`)) throw adopted(name, 'tags');
    const releases = verified.role(`${name}.releases`);
    if (!releases)
      throw new ModmeshError('MODMESH_RELEASE_NOT_LISTED', `${name} has no signed releases yet`, {
        remote: name,
        hint: `Run \`modmesh releases adopt ${name}\` first.`,
      });
    const expires = expiresIn(args.value('expires'), ROLE_EXPIRY_DAYS);
    const { tags } = await client.tags(name);
    const targets: TagsSigned['targets'] = {};
    for (const tag of tags) {
      const sha256 = Buffer.from(await crypto.sha256(await client.releaseDocument(name, tag.version))).toString('hex');
      const continues = { version: tag.version, seq: tag.seq, sha256 };
      output.note(`  ${tag.tag}: ${tag.version} (seq ${tag.seq}) -> signed as seq ${tag.seq + 1}`);
      Object.assign(
        targets,
        buildTagsUpdate(undefined, releases, { remote: name, tag: tag.tag, version: tag.version, movedAt: new Date().toISOString(), expires, continues }).signed
          .targets,
      );
    }
    const v1 = { signed: { ...(await buildReleasesUpdate(undefined, { remote: name, expires }, crypto)).signed, targets } as TagsSigned, signatures: [] };
    checkTagsUpdate(
      undefined,
      v1.signed,
      releases,
      tags.map((tag) => tag.tag),
    );
    output.note(`signing ${name}.tags v1 with ${tags.length} tags`);
    const answer = await client.putTagsRole(name, (await signRole(verified, `${name}.tags`, v1, args.need('key'), context.cwd)) as never);
    output.result(answer, () => [`${name}.tags v1 continues ${tags.length} tags`]);
  },
};

export const releasesRefreshCommand: CommandSpec = refreshCommand('releases');
export const tagRefreshCommand: CommandSpec = refreshCommand('tags');

export const signCommand: CommandSpec = {
  name: 'sign',
  summary: "add your signature to a remote's role file (thresholds above 1)",
  arguments: 'FILE',
  description: [
    'Adds your signature to FILE, a NAME.tags (or NAME.releases) written by `--out`, after verifying the',
    'registry from the trusted root and checking FILE is its next version and your key is in the role.',
    'Push it with `modmesh tag push FILE` once it has enough signatures.',
  ].join('\n'),
  options: { ...SIGNING, remote: { type: 'string', value: 'NAME', description: 'whose role FILE is (when its paths do not say)' } },
  examples: ['modmesh sign move.json --key keys/bob-mover.key --root root.json'],
  run: async function runSign(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const signed = await signFile(connect(args, context.env, context.cwd, output), args, context.cwd, output);
    output.result(signed, () => [`signed ${signed.file}: ${signed.signatures} signatures on ${signed.role}`]);
  },
};

export const tagPushCommand: CommandSpec = {
  name: 'tag push',
  summary: 'push a signed NAME.tags file (from --out and `modmesh sign`)',
  arguments: 'FILE',
  description: "Uploads FILE as the next NAME.tags: the registry checks its signatures against the movers' threshold, T1, T2 and T4.",
  options: { remote: { type: 'string', value: 'NAME', description: 'whose role FILE is (when its paths do not say)' }, ...CLIENT_OPTIONS },
  examples: ['modmesh tag push move.json'],
  run: async function runTagPush(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const file = path.resolve(context.cwd, args.positionals[0] ?? '');
    const envelope = await readEnvelope<TagsSigned>(file);
    const { remote } = roleOfFile(envelope, file, args.value('remote'));
    const answer = await connect(args, context.env, context.cwd, output).putTagsRole(remote, envelope as never);
    output.result(answer, () => answer.moves.map((move) => `${move.tag}: ${move.from ?? '(new)'} -> ${move.to}, seq ${move.seq}`));
  },
};

// --- internal ---

function refreshCommand(kind: 'releases' | 'tags'): CommandSpec {
  return {
    name: kind === 'releases' ? 'releases refresh' : 'tag refresh',
    summary: `sign NAME.${kind} N+1 unchanged but for a new expiry (idle remotes; after a key is removed)`,
    arguments: 'NAME',
    description: [
      `Signs NAME.${kind} again as it is, with a later expiry (hosts go stale when it expires). Reads the current`,
      'version even when it has expired already. After `root remove-key`, sign with a key that stays.',
    ].join('\n'),
    options: SIGNING,
    examples: [
      `modmesh ${kind === 'releases' ? 'releases refresh auth --key keys/auth-ci.key' : 'tag refresh auth --key keys/alice-mover.key'} --root root.json`,
    ],
    run: async function runRefresh(args: ParsedArgs, context: CliContext): Promise<void> {
      const output = createOutput(context, args.flag('json'));
      const name = remoteName(args.positionals[0] ?? '');
      const client = connect(args, context.env, context.cwd, output);
      const verified: VerifiedRegistry = await verifyRegistry(client, await trustedRootBytes(args, context.cwd, `${kind} refresh`), {
        remotes: [name],
        allowExpiredRoles: true,
        allowRemovedSigners: true,
      });
      const role = `${name}.${kind}`;
      const current = verified.role(role);
      if (!current)
        throw new ModmeshError('MODMESH_NOT_FOUND', `${name} has no ${role} to renew`, { remote: name, hint: `Adopt it: \`modmesh ${kind} adopt ${name}\`.` });
      const next = { signed: { ...current, version: current.version + 1, expires: expiresIn(args.value('expires'), ROLE_EXPIRY_DAYS) }, signatures: [] };
      output.note(
        `signing ${role} v${next.signed.version}: unchanged (${Object.keys(next.signed.targets).length} targets), expires ${next.signed.expires} (was ${current.expires})`,
      );
      const signed = (await signRole(verified, role, next, args.need('key'), context.cwd)) as never;
      const answer = kind === 'releases' ? await client.putReleasesRole(name, signed) : await client.putTagsRole(name, signed);
      output.result(answer, () => [`${role} v${next.signed.version} expires ${next.signed.expires}`]);
    },
  };
}

function adopted(name: string, kind: string): ModmeshError {
  return new ModmeshError('MODMESH_USAGE', `${name}.${kind} exists already: ${name} is adopted`, {
    remote: name,
    hint: `Renew it with \`modmesh ${kind === 'tags' ? 'tag' : 'releases'} refresh ${name}\`.`,
  });
}
