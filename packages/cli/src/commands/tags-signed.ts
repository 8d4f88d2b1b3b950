import path from 'node:path';
import { type RegistryClient, rollbackTarget, type TagsRoleAnswer } from '@modmesh/api';
import { ModmeshError, TAG_NAME } from '@modmesh/manifest';
import { addSignature, buildTagsUpdate, type Envelope, signingKeyids, type TagsSigned, type TagTarget, tagPath } from '@modmesh/trust';
import semver from 'semver';
import type { ParsedArgs } from '../args.js';
import type { Output } from '../output.js';
import { readEnvelope, writeEnvelope } from '../root-files.js';
import { expiresIn, signerFromFile, trustedRootBytes, type VerifiedRegistry, verifyRegistry } from '../trust.js';

// A role signed by a mover lives a year from each move (design 16 §2.2).
export const ROLE_EXPIRY_DAYS = 365;

export interface SignedMove {
  name: string;
  tag: string;
  /** The version to move to; undefined for a rollback, which proposes the registry's history. */
  version?: string;
  rollback: boolean;
  reason?: string;
}

/**
 * `tag set` and `rollback` in root mode: verifies the registry from the trusted root, builds
 * `R.tags` N+1 moving the tag (T1, T2 and T4 checked before signing; `--rollback` must be given
 * exactly when the version goes down), shows it, signs it with the mover key, and pushes it, or
 * writes it to --out for more signatures.
 */
export async function moveSigned(
  client: RegistryClient,
  args: ParsedArgs,
  cwd: string,
  output: Output,
  move: SignedMove,
): Promise<TagsRoleAnswer | { out: string }> {
  const { name, tag } = move;
  if (!TAG_NAME.test(tag)) throw new ModmeshError('MODMESH_INVALID_TAG', `${JSON.stringify(tag)} is not a valid tag name`, { remote: name });
  const verified = await verifyRegistry(client, await trustedRootBytes(args, cwd, move.version ? 'tag set' : 'rollback'), { remotes: [name] });
  const releases = verified.role(`${name}.releases`);
  if (!releases) {
    throw new ModmeshError('MODMESH_RELEASE_NOT_LISTED', `${name} has no signed releases role at ${client.url}`, {
      remote: name,
      hint: `Adopt it first: \`modmesh releases adopt ${name} --key PUBLISHER.key\` and \`modmesh tags adopt ${name} --key MOVER.key\`.`,
    });
  }
  const current = verified.role<TagsSigned>(`${name}.tags`);
  const state = (current?.targets[tagPath(name, tag)] as TagTarget | undefined)?.custom.modmesh;
  const version = move.version ?? (await proposeRollback(client, name, tag, state?.version));
  const goingBack = state !== undefined && semver.lt(version, state.version);
  if (goingBack !== move.rollback) {
    throw new ModmeshError(
      'MODMESH_TAG_STATE_INVALID',
      goingBack
        ? `${name}@${tag} is at ${state?.version}: moving it to ${version} goes back, so it is a rollback; say so with --rollback (or \`modmesh rollback\`)`
        : `${name}@${tag} is at ${state?.version ?? 'nothing'}: ${version} does not go back, so it is not a rollback; leave out --rollback`,
      { remote: name, version },
    );
  }
  const update = buildTagsUpdate(current, releases, {
    remote: name,
    tag,
    version,
    rollback: goingBack,
    ...(move.reason !== undefined && { reason: move.reason }),
    movedAt: new Date().toISOString(),
    expires: expiresIn(args.value('expires'), ROLE_EXPIRY_DAYS),
  });
  const next = (update.signed.targets[tagPath(name, tag)] as TagTarget).custom.modmesh;
  output.note(
    `signing ${name}.tags v${update.signed.version}: ${tag} ${state ? `${state.version} (seq ${state.seq})` : '(new)'} -> ${version} (seq ${next.seq})${goingBack ? ', a rollback' : ''}, ` +
      `release document sha256 ${update.signed.targets[tagPath(name, tag)]?.hashes.sha256}`,
  );
  const signed = await signRole(verified, `${name}.tags`, update, args.need('key'), cwd);
  return pushOrWrite(client, args, cwd, name, signed);
}

/** Adds a key's signature to a remote's role document, when the verified targets delegates that role to the key. */
export async function signRole<T>(verified: VerifiedRegistry, role: string, envelope: Envelope<T>, keyFile: string, cwd: string): Promise<Envelope<T>> {
  const signer = await signerFromFile(keyFile, cwd);
  const allowed = signingKeyids(role, envelope.signed, { targets: verified.targets });
  return addSignature(envelope, signer, allowed);
}

/** `modmesh sign FILE --key`: one more signature on a remote's role file, when the file is the next version at the registry. */
export async function signFile(
  client: RegistryClient,
  args: ParsedArgs,
  cwd: string,
  output: Output,
): Promise<{ file: string; role: string; signatures: number }> {
  const file = path.resolve(cwd, args.positionals[0] ?? '');
  const envelope = await readEnvelope<TagsSigned>(file);
  const { role, remote } = roleOfFile(envelope, file, args.value('remote'));
  const verified = await verifyRegistry(client, await trustedRootBytes(args, cwd, 'sign'), { remotes: [remote], allowExpiredRoles: true });
  const current = verified.role(role);
  if (envelope.signed.version !== (current?.version ?? 0) + 1) {
    throw new ModmeshError(
      'MODMESH_META_CONFLICT',
      `${path.basename(file)} is ${role} v${envelope.signed.version}, but the registry has v${current?.version ?? 0}`,
      {
        remote,
        hint: 'Build it again on the current version (the command that made it), and collect the signatures again.',
      },
    );
  }
  output.note(`signing ${role} v${envelope.signed.version}, expires ${envelope.signed.expires}: ${Object.keys(envelope.signed.targets).length} targets`);
  const signed = await signRole(verified, role, envelope, args.need('key'), cwd);
  await writeEnvelope(file, signed);
  return { file, role, signatures: signed.signatures.length };
}

/** The role a role file is, from its paths (`auth/tags/...`), or `--remote` and its kind. */
export function roleOfFile(envelope: Envelope<{ targets: Record<string, unknown> }>, file: string, remote?: string): { role: string; remote: string } {
  const first = Object.keys(envelope.signed.targets ?? {})[0];
  const match = first && /^(.+)\/(releases|tags)\//.exec(first);
  const byName = /^\d+\.(.+)\.(releases|tags)\.json$/.exec(path.basename(file));
  const [, name, kind] = match || byName || [];
  const owner = remote ?? name;
  if (!owner || !kind) {
    throw new ModmeshError('MODMESH_USAGE', `cannot tell whose role ${file} is`, {
      hint: 'Name the file N.<remote>.tags.json or N.<remote>.releases.json, or pass --remote.',
    });
  }
  return { role: `${owner}.${kind}`, remote: owner };
}

// --- internal ---

async function pushOrWrite(
  client: RegistryClient,
  args: ParsedArgs,
  cwd: string,
  name: string,
  signed: Envelope<TagsSigned>,
): Promise<TagsRoleAnswer | { out: string }> {
  const out = args.value('out');
  if (out) {
    const file = path.resolve(cwd, out);
    await writeEnvelope(file, signed);
    return { out: file };
  }
  return client.putTagsRole(name, signed as never);
}

// The registry's history names where a rollback goes (untrusted: the signed role then checks it is listed and lower).
async function proposeRollback(client: RegistryClient, name: string, tag: string, current: string | undefined): Promise<string> {
  const { history } = await client.history(name, tag);
  const target = rollbackTarget(history);
  if (!target || !current) {
    throw new ModmeshError('MODMESH_NO_PREVIOUS_TARGET', `${name}@${tag} has no earlier target to roll back to`, { remote: name, version: current });
  }
  return target;
}
