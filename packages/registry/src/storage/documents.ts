import { createHash } from 'node:crypto';
import { canonicalJson, ModmeshError, type ReleaseSignature } from '@modmesh/manifest';
import type { NewRelease, ReleaseDocument, TufHead, TufMeta } from './types.js';

// What every backend shares about release documents and the TUF head: one rule, one place.

/**
 * The release document of a release published before documents were kept, and the default of a
 * new one: the canonical JSON of `{ manifest, signature }`, as `modmesh publish` writes it.
 */
export function derivedDocument(manifest: string, signature: ReleaseSignature): string {
  return canonicalJson({ manifest: JSON.parse(manifest), signature });
}

/** The document a new release is stored with, and its SHA-256. */
export function documentOf(release: Pick<NewRelease, 'manifest' | 'signature' | 'document' | 'version'>): ReleaseDocument {
  const document = release.document ?? derivedDocument(release.manifest, release.signature);
  return { version: release.version, document, sha256: sha256Hex(document) };
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The roles whose version the head row keeps; a remote's roles are read as their newest row. */
export const TOP_LEVEL_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;

/** The head from the head row's versions and the newest row of every role. */
export function headOf(versions: Record<(typeof TOP_LEVEL_ROLES)[number], number>, newest: TufMeta[]): TufHead {
  return { ...versions, current: Object.fromEntries(newest.map((meta) => [meta.role, meta])) };
}

/** MODMESH_META_CONFLICT: a document built on a version that is no longer the newest. */
export function metaConflict(role: string, version: number, current: number): ModmeshError {
  return new ModmeshError('MODMESH_META_CONFLICT', `${role}.json v${version} is not the next version: the registry has v${current}`, {
    file: `${version}.${role}.json`,
    hint: 'Someone else changed it first: read the current version, check it, and sign your change on top of it (modmesh retries publishes by itself).',
  });
}
