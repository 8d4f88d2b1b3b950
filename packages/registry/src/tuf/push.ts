import { ModmeshError } from '@modmesh/manifest';
import { loadTrustedRoot, ROOT_MAX_BYTES, TIMESTAMP_MAX_LIFETIME_SECONDS, type TrustedRoot, verifyRootUpdate } from '@modmesh/trust';
import { metaConflict } from '../storage/documents.js';
import { rowOf } from './online.js';
import { noRoot, type TufEngine } from './service.js';
import { requireNotExpired, uploadedDocument } from './verify.js';

/**
 * `PUT /v1/tuf/roots/:version`: the first root (v1, signed by a threshold of its own root keys),
 * or the next one by the rotation rule hosts apply (U1: a threshold of the newest root's keys and
 * of its own). Its online keys must be held, and the timestamps signed here must fit its
 * lifetime cap. Then snapshot and timestamp are signed under it.
 */
export async function pushRoot(engine: TufEngine, value: unknown, version: number, actor: string): Promise<{ version: number }> {
  const upload = uploadedDocument('root', value, ROOT_MAX_BYTES);
  requirePushedAs('root', upload.version, version);
  await engine.signer.reload();
  await engine.commit(async (context) => {
    let root: TrustedRoot;
    if (context.root) {
      if (version <= context.root.signed.version) throw metaConflict('root', version, context.root.signed.version);
      root = await verifyRootUpdate(context.root, upload.bytes, engine.crypto);
    } else {
      if (version !== 1) {
        throw new ModmeshError('MODMESH_ROOT_INVALID', `this registry has no root yet, so the first one pushed must be v1, not v${version}`, {
          hint: 'Push the chain from 1.root.json on (`modmesh root push --dir DIR` does).',
        });
      }
      root = await loadTrustedRoot(upload.bytes, engine.crypto);
    }
    try {
      requireNotExpired('root', version, root.signed.expires, context.now);
    } catch (error) {
      throw new ModmeshError('MODMESH_ROOT_EXPIRED', (error as Error).message, { file: `${version}.root.json` });
    }
    const cap = root.signed.x_modmesh?.timestamp_max_lifetime ?? TIMESTAMP_MAX_LIFETIME_SECONDS;
    if (engine.expiry.timestampSeconds > cap) {
      throw new ModmeshError(
        'MODMESH_META_INVALID',
        `root v${version} lets a timestamp live ${cap} s, but this registry signs them for ${engine.expiry.timestampSeconds} s; hosts would refuse every one`,
        { hint: "Lower the registry's --timestamp-expiry, or raise timestamp_max_lifetime in the root (`modmesh root rotate`)." },
      );
    }
    return { rows: [rowOf('root', upload.bytes, root.signed, context.now, actor)], root };
  }, actor);
  return { version };
}

/**
 * `PUT /v1/tuf/targets/:version`: a newer targets, signed by a threshold of the root's targets
 * keys, with only the delegation pairs of each remote (U6, as hosts check it).
 */
export async function pushTargets(engine: TufEngine, value: unknown, version: number, actor: string): Promise<{ version: number }> {
  const upload = uploadedDocument('targets', value);
  requirePushedAs('targets', upload.version, version);
  await engine.commit(async (context) => {
    if (!context.root) throw noRoot();
    // Drafts made offline one after another (two add-remotes) are pushed as the last: the version only goes up.
    if (version <= context.head.targets) throw metaConflict('targets', version, context.head.targets);
    requireNotExpired('targets', version, upload.expires, context.now);
    return { rows: [rowOf('targets', upload.bytes, { version, expires: upload.expires }, context.now, actor)] };
  }, actor);
  return { version };
}

// --- internal ---

function requirePushedAs(role: string, signed: number, path: number): void {
  if (signed !== path) {
    throw new ModmeshError('MODMESH_BAD_REQUEST', `the document is ${role} v${signed}, pushed as v${path}`, { file: `${signed}.${role}.json` });
  }
}
