import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegistryClient } from '@modmesh/api';
import { ModmeshError } from '@modmesh/manifest';
import { signingKeyids } from '@modmesh/trust';
import { createNodeSigner } from '@modmesh/trust/node';
import { verifyRegistry } from './trust.js';

/** How a dev session publishes a remote the registry's root of trust delegates: signed, as `modmesh publish --root` does. */
export interface DevRootSigning {
  /** The trusted root the registry is verified from before each publish. */
  root: string;
  /** The mover key that signs each move of the dev tag. */
  moverKey: string;
}

export interface DevRootOptions {
  name: string;
  tag: string;
  client: RegistryClient;
  /** The dev publisher key of the remote (DEV_DIR/NAME.key): in root mode, one the root delegates as a publisher. */
  keyFile: string;
  /** --root, else DEV_DIR/trust/1.root.json when there is one (what `npm start` makes). */
  root: string | undefined;
  /** --mover-key, else DEV_DIR/mover.key when there is one. */
  moverKey: string | undefined;
}

/**
 * Whether a dev session publishes `name` signed (root mode) or as a registry without a root takes
 * it (undefined). A registry with a root of trust that delegates the remote takes only releases
 * its publishers sign and tag moves its movers sign: with a root to verify the registry from, the
 * dev key a delegated publisher and a mover key, dev builds are published signed; without them it
 * is MODMESH_DEV_ROOT_MODE, naming what is missing, before anything is registered or published.
 */
export async function devRootSigning(options: DevRootOptions): Promise<DevRootSigning | undefined> {
  const { name, client } = options;
  const { tuf } = await client.health();
  if (tuf?.mode !== 'root') return undefined;
  const root = options.root && existsSync(options.root) ? options.root : undefined;
  if (!root) {
    const signed = [`${name}.releases`, `${name}.tags`].filter((role) => tuf.documents[role] !== undefined);
    if (signed.length > 0) throw devRootRefusal(options, `its root of trust signs ${signed.join(' and ')}, and no root was given to verify it from (--root)`);
    return undefined;
  }
  const verified = await verifyRegistry(client, await readFile(root), { remotes: [name] });
  const publishers = signingKeyids(`${name}.releases`, {}, { targets: verified.targets });
  if (publishers.length === 0) return undefined;
  const keyid = existsSync(options.keyFile) ? (await createNodeSigner(await readFile(options.keyFile, 'utf8'))).keyid : undefined;
  if (!keyid || !publishers.includes(keyid)) {
    throw devRootRefusal(
      options,
      `the dev key ${path.basename(options.keyFile)} is not one of the publishers targets v${verified.targets.version} delegates for ${name}`,
    );
  }
  if (!options.moverKey || !existsSync(options.moverKey))
    throw devRootRefusal(options, `moving ${options.tag} takes a mover's signature, and no mover key was given (--mover-key)`);
  // The first signed NAME.tags continues the tags the registry moved before the root: an adoption, a mover's deliberate act.
  const legacy = verified.role(`${name}.tags`) ? [] : ((await client.remote(name).catch(() => undefined))?.tags ?? []);
  if (legacy.length > 0) {
    const tags = legacy.map((state) => `${state.tag} ${state.version}`).join(', ');
    throw devRootRefusal(
      options,
      `its tags (${tags}) were moved before the root and are in no signed ${name}.tags yet: adopt them first (\`modmesh releases adopt ${name}\`, \`modmesh tags adopt ${name} --key MOVER.key --root ROOT\`)`,
    );
  }
  return { root, moverKey: options.moverKey };
}

/** MODMESH_DEV_ROOT_MODE: the registry takes dev builds of `name` only signed, and why they cannot be. */
export function devRootRefusal(options: { name: string; client: RegistryClient }, why: string, cause?: unknown): ModmeshError {
  const { name, client } = options;
  return new ModmeshError(
    'MODMESH_DEV_ROOT_MODE',
    `${name}: ${client.url} takes dev builds of ${name} only signed for its root of trust: ${why}; nothing was published`,
    {
      remote: name,
      hint: `Give modmesh dev the root (--root), a dev key the root delegates as ${name}'s publisher (DEV_DIR/${name}.key) and a mover key (--mover-key), as \`npm start\` makes them in .modmesh/dev; or develop against a registry of your own without a root (\`modmesh registry start --data .modmesh/dev-registry --port PORT\`, then \`modmesh dev --registry http://127.0.0.1:PORT\`).`,
      ...(cause !== undefined && { cause }),
    },
  );
}
