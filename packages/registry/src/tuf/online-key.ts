import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generatePublisherKeyPair, ModmeshError } from '@modmesh/manifest';
import { compactOf, type RootSigned, type Signer } from '@modmesh/trust';
import { createNodeSigner } from '@modmesh/trust/node';

/**
 * The registry's online signer (design 16 §4.1): the private keys it holds for the timestamp and
 * snapshot roles. They live in files, never in the database: `<dataDir>/online-key` (and
 * `online-key.next` during a rotation), or the files given (a Kubernetes Secret for replicas).
 * A KMS could implement this port later.
 */
export interface OnlineSigner {
  /** Where the keys are read from, for messages. */
  readonly source: string;
  /** The keys held now. */
  held(): Signer[];
  /** Reads the key files again (a rotation adds `online-key.next`). */
  reload(): Promise<void>;
  /**
   * The held keys `root` names for `role`, at least its threshold of them; otherwise
   * MODMESH_ONLINE_KEY_MISSING, naming the keys the root wants.
   */
  signersFor(root: RootSigned, role: 'snapshot' | 'timestamp'): Signer[];
}

export const ONLINE_KEY_FILE = 'online-key';
export const NEXT_ONLINE_KEY_FILE = 'online-key.next';
// Only the registry's own user may read a private key.
const PRIVATE_KEY_MODE = 0o600;

export interface OnlineSignerOptions {
  /** The embedded registry's data dir: `online-key` and `online-key.next` there. */
  dataDir?: string;
  /** Key files given instead (MODMESH_ONLINE_KEY_FILE, --online-key-file): the data dir's are then not used. */
  files?: string[];
  /** Make `<dataDir>/online-key` when there is none (the embedded registry's first start). @default false */
  generate?: boolean;
}

/** Loads the online keys, generating the data dir's first one when asked. */
export async function loadOnlineSigner(options: OnlineSignerOptions): Promise<OnlineSigner> {
  const given = options.files?.filter(Boolean) ?? [];
  const files =
    given.length > 0 ? given : options.dataDir ? [ONLINE_KEY_FILE, NEXT_ONLINE_KEY_FILE].map((name) => path.join(options.dataDir as string, name)) : [];
  if (given.length === 0 && options.generate && options.dataDir) await generateKeyFile(path.join(options.dataDir, ONLINE_KEY_FILE));
  let signers: Signer[] = [];
  const reload = async (): Promise<void> => {
    const loaded: Signer[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        // The data dir's keys are optional (online-key.next exists only during a rotation); a file given must be there.
        if (error.code === 'ENOENT' && given.length === 0) return undefined;
        throw new ModmeshError('MODMESH_CONFIG_INVALID', `cannot read the online key file ${file} (${error.code ?? error.message})`, {
          hint: 'Give the PKCS#8 PEM written by `modmesh keys generate` or `modmesh registry online-key rotate` (MODMESH_ONLINE_KEY_FILE).',
          cause: error,
        });
      });
      if (text !== undefined) loaded.push(await createNodeSigner(text));
    }
    signers = loaded;
  };
  await reload();
  return {
    source: files.join(', ') || '(none)',
    held: () => signers,
    reload,
    signersFor(root, role) {
      const named = root.roles[role];
      const usable = signers.filter((signer) => named.keyids.includes(signer.keyid));
      if (usable.length >= named.threshold) return usable.slice(0, named.threshold);
      const wanted = named.keyids.map((keyid) => compactOf(root.keys[keyid] as never)).join(', ');
      throw new ModmeshError(
        'MODMESH_ONLINE_KEY_MISSING',
        // No file paths: /health answers anyone with this message. The start log names where keys are read from.
        `root v${root.version} names ${wanted} for ${role} (${named.threshold} needed); this registry holds ${usable.length} of them`,
      );
    },
  };
}

/**
 * `modmesh registry online-key rotate`: makes `<dataDir>/online-key.next` (kept when there is one
 * already, so running it twice gives the same key). Once a root naming it is pushed, the registry
 * signs with it; `promote` then makes it `online-key` (the old one is kept as `online-key.old`).
 */
export async function rotateOnlineKey(dataDir: string, options: { promote?: boolean } = {}): Promise<{ next: string; created: boolean; promoted: boolean }> {
  const current = path.join(dataDir, ONLINE_KEY_FILE);
  const next = path.join(dataDir, NEXT_ONLINE_KEY_FILE);
  if (options.promote) {
    if (!existsSync(next))
      throw new ModmeshError('MODMESH_USAGE', `there is no ${next} to promote`, { hint: 'Run `modmesh registry online-key rotate` first.' });
    if (existsSync(current)) await rename(current, `${current}.old`);
    await rename(next, current);
    return { next: await publicKeyOf(current), created: false, promoted: true };
  }
  const created = await generateKeyFile(next);
  return { next: await publicKeyOf(next), created, promoted: false };
}

/** The compact public key (`ed25519:...`) of a key file. */
export async function publicKeyOf(file: string): Promise<string> {
  return compactOf((await createNodeSigner(await readFile(file, 'utf8'))).key);
}

// --- internal ---

async function generateKeyFile(file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  // "wx": never replaces a key that another process wrote in the meantime.
  await writeFile(file, generatePublisherKeyPair().privateKeyPem, { mode: PRIVATE_KEY_MODE, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return true;
}
