import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegistryClient } from '@modmesh/api';
import { canonicalJson, isModmeshError, ModmeshError } from '@modmesh/manifest';
import {
  type Cycle,
  checkRootFresh,
  compactOf,
  createTrustedSet,
  loadTrustedRoot,
  type ReleasesSigned,
  ROOT_WALK_MAX,
  rootFetch,
  type Signer,
  signingKeyids,
  snapshotFetch,
  startCycle,
  type TagsSigned,
  type TargetsSigned,
  TIMESTAMP_FETCH,
  type TrustedRoot,
  type TufKey,
  targetsFetch,
  tufKeyFromCompact,
  UNSIGNED_LENGTH_MAX_BYTES,
  updateRole,
  updateRoot,
  updateSnapshot,
  updateTargets,
  updateTimestamp,
} from '@modmesh/trust';
import { createNodeCrypto, createNodeSigner } from '@modmesh/trust/node';
import { type OptionSpec, type ParsedArgs, readUserFile } from './args.js';

export const crypto = createNodeCrypto();

/** `--root FILE` / MODMESH_ROOT: the root of trust every signing command verifies the registry from. */
export const ROOT_OPTION: OptionSpec = {
  type: 'string',
  value: 'FILE',
  env: 'MODMESH_ROOT',
  description: 'a trusted root.json (from `modmesh root pull` or your root ceremony): the registry is verified from it before anything is signed',
};

/** What a signing command verified at the registry, from the trusted root (U1–U7). */
export interface VerifiedRegistry {
  root: TrustedRoot;
  targets: TargetsSigned;
  /** The newest verified document of a remote's role, undefined when the snapshot lists none. */
  role<T extends ReleasesSigned = ReleasesSigned>(name: string): T | undefined;
  cycle: Cycle;
}

/**
 * Walks the registry's metadata from a trusted root, as a host does (root chain, timestamp,
 * snapshot, targets, the remotes' roles), so that nothing a compromised registry injected is
 * ever built on and signed. `allowExpiredRoles` lets the renewal commands read a remote's role
 * that has already expired (they exist to replace it). `allowRemovedSigners` lets them read one
 * signed by keys that `root remove-key` took away since, verified by the keys an earlier targets
 * (signed by the root's targets keys) delegated it to: they are how a key that stays signs it again.
 */
export async function verifyRegistry(
  client: RegistryClient,
  rootBytes: Uint8Array,
  options: { remotes: string[]; allowExpiredRoles?: boolean; allowRemovedSigners?: boolean; now?: number },
): Promise<VerifiedRegistry> {
  const now = options.now ?? Date.now();
  let cycle = startCycle(createTrustedSet(await loadTrustedRoot(rootBytes, crypto)), now);
  for (let walked = 0; walked < ROOT_WALK_MAX; walked += 1) {
    const fetch = rootFetch(cycle);
    const bytes = await client.tufMetadata(fetch.file, fetch.maxBytes);
    if (!bytes) break;
    cycle = await updateRoot(cycle, bytes, crypto);
  }
  cycle = checkRootFresh(cycle);
  cycle = await updateTimestamp(cycle, await must(client, TIMESTAMP_FETCH), crypto);
  const snapshot = snapshotFetch(cycle);
  if (snapshot) cycle = await updateSnapshot(cycle, await must(client, snapshot), crypto);
  const targets = targetsFetch(cycle);
  if (targets) cycle = await updateTargets(cycle, await must(client, targets), crypto);
  for (const remote of options.remotes) {
    for (const role of [`${remote}.releases`, `${remote}.tags`]) {
      const meta = cycle.snapshot?.signed.meta[`${role}.json`];
      if (!meta) continue;
      const bytes = await must(client, { file: `${meta.version}.${role}.json`, maxBytes: meta.length ?? UNSIGNED_LENGTH_MAX_BYTES });
      const base = options.allowExpiredRoles ? { ...cycle, now: undefined } : cycle;
      let stepped: Cycle;
      try {
        stepped = await updateRole(base, role, bytes, crypto);
      } catch (error) {
        if (!options.allowRemovedSigners || !isModmeshError(error) || error.code !== 'MODMESH_META_SIGNATURE') throw error;
        stepped = await underEarlierTargets(client, base, role, bytes, error);
      }
      cycle = { ...stepped, now };
    }
  }
  const verified = cycle;
  return {
    root: verified.root,
    targets: verified.targets?.signed as TargetsSigned,
    role: <T extends ReleasesSigned>(name: string) => verified.roles[name]?.signed as T | undefined,
    cycle: verified,
  };
}

/** The trusted root's bytes from --root / MODMESH_ROOT; MODMESH_USAGE when neither is given. */
/** The publisher keys (`ed25519:...`) the verified targets delegates for a remote: who may sign its releases. */
export function delegatedPublishers(verified: VerifiedRegistry, remote: string): string[] {
  const keys = verified.targets.delegations?.keys ?? {};
  return signingKeyids(`${remote}.releases`, {}, { targets: verified.targets }).flatMap((keyid) => (keys[keyid] ? [compactOf(keys[keyid])] : []));
}

export async function trustedRootBytes(args: ParsedArgs, cwd: string, command: string): Promise<Uint8Array> {
  const file = args.value('root');
  if (!file) {
    throw new ModmeshError('MODMESH_USAGE', `modmesh ${command} signs for the root of trust, and needs a trusted root to verify the registry from`, {
      hint: 'Pass --root root.json (or set MODMESH_ROOT): the root from your root ceremony, or `modmesh root pull --out root.json` checked by hand.',
    });
  }
  return new TextEncoder().encode(await readUserFile(path.resolve(cwd, file), 'the root file', 'Pass the root.json your root ceremony made.'));
}

/** A TUF signer from a private key file (`modmesh keys generate`'s .key). */
export async function signerFromFile(file: string, cwd: string): Promise<Signer> {
  const text = await readUserFile(path.resolve(cwd, file), 'the key file', 'Pass a .key file from `modmesh keys generate`.');
  return createNodeSigner(text);
}

/** A public key given on the command line: `ed25519:<base64url>`, or a .pub file holding it. */
export async function publicKeyArgument(value: string, cwd: string): Promise<TufKey> {
  const file = path.resolve(cwd, value);
  const text = !value.startsWith('ed25519:') && existsSync(file) ? await readFile(file, 'utf8') : value;
  if (text.includes('PRIVATE KEY')) {
    throw new ModmeshError('MODMESH_KEY_INVALID', `${value} is a private key; give the public key (.pub)`, { hint: 'Pass the .pub file of the pair.' });
  }
  return tufKeyFromCompact(text);
}

/** An `expires` `days` (or `Nh`: hours) from now, as TUF writes it. `--expires 365d`. */
export function expiresIn(text: string | undefined, fallbackDays: number, now = Date.now()): string {
  const match = /^([1-9][0-9]{0,4})([dh])$/.exec(text ?? `${fallbackDays}d`);
  if (!match) throw new ModmeshError('MODMESH_USAGE', `--expires ${JSON.stringify(text)} is not a duration such as 365d or 12h`);
  const ms = Number(match[1]) * (match[2] === 'd' ? 86_400_000 : 3_600_000);
  return `${new Date(now + ms).toISOString().slice(0, 19)}Z`;
}

/** `TagsSigned`, re-exported for the commands that move tags. */
export type { TagsSigned };

// --- internal ---

/** How many targets versions back a role signed before a `root remove-key` is looked for. */
const EARLIER_TARGETS_MAX = 16;

// A role whose signers were removed from its delegation: verified by the delegation of an earlier
// targets version instead (newest first), that targets verified by the root's targets keys. The
// role is still the one the snapshot lists; the cycle keeps the current targets, so that only a
// key that stays can sign the next version.
async function underEarlierTargets(client: RegistryClient, cycle: Cycle, role: string, bytes: Uint8Array, refusal: ModmeshError): Promise<Cycle> {
  const snapshot = cycle.snapshot as NonNullable<Cycle['snapshot']>;
  const current = cycle.targets as NonNullable<Cycle['targets']>;
  const oldest = Math.max(1, current.signed.version - EARLIER_TARGETS_MAX);
  for (let version = current.signed.version - 1; version >= oldest; version -= 1) {
    const earlier = await client.tufMetadata(`${version}.targets.json`, UNSIGNED_LENGTH_MAX_BYTES);
    // `root push` sends only the newest targets: versions made in between may not be there.
    if (!earlier) continue;
    // Not listed by the current snapshot (it lists the newest targets): checked for its version and signatures only.
    const listing = { ...snapshot, signed: { ...snapshot.signed, meta: { ...snapshot.signed.meta, 'targets.json': { version } } } };
    const trusted = await updateTargets({ ...cycle, now: undefined, snapshot: listing }, earlier, crypto);
    try {
      const stepped = await updateRole({ ...trusted, snapshot }, role, bytes, crypto);
      return { ...stepped, targets: current, now: cycle.now };
    } catch (error) {
      // Not signed by that delegation's keys, or the remote was not delegated yet: an older one may be it.
      if (!isModmeshError(error) || (error.code !== 'MODMESH_META_SIGNATURE' && error.code !== 'MODMESH_KEY_NOT_TRUSTED')) throw error;
    }
  }
  throw refusal;
}

async function must(client: RegistryClient, fetch: { file: string; maxBytes: number }): Promise<Uint8Array> {
  const bytes = await client.tufMetadata(fetch.file, fetch.maxBytes);
  if (!bytes)
    throw new ModmeshError('MODMESH_REMOTE_BAD_STATUS', `${fetch.file}: not found at the registry, though its signed metadata names it`, { file: fetch.file });
  return bytes;
}

/** The keyids among `keyids` whose signatures on `envelope` verify (each counts once). */
export async function validSigners(
  envelope: { signed: unknown; signatures: { keyid: string; sig: string }[] },
  keys: Record<string, TufKey>,
  keyids: readonly string[],
): Promise<string[]> {
  const message = new TextEncoder().encode(canonicalJson(envelope.signed));
  const good = new Set<string>();
  for (const { keyid, sig } of envelope.signatures) {
    const key = keyids.includes(keyid) ? keys[keyid] : undefined;
    if (!key || !/^[0-9a-f]{128}$/.test(sig)) continue;
    if (await crypto.verifyEd25519(Buffer.from(key.keyval.public, 'hex'), message, Buffer.from(sig, 'hex'))) good.add(keyid);
  }
  return [...good];
}
