import type { PublishAnswer } from '@modmesh/api';
import { canonicalJson, ModmeshError, type ReleaseSignature } from '@modmesh/manifest';
import type { Principal } from './auth.js';
import type { MetadataStore } from './storage/types.js';
import { commitRoles } from './tuf/remote-roles.js';
import type { TufEngine } from './tuf/service.js';
import { checkName, checkTag, checkVersion, optionalString } from './validate.js';

/** What a publish in root mode answers: always the `R.releases` version that lists the release. */
export type SignedPublishAnswer = PublishAnswer & { releasesVersion: number };

/**
 * A publish in root mode (design 16 §4.1): `{ document, role, tag?, tagsRole? }`, the release
 * document (the signed release, `{ manifest, signature }` or `signatures`) and `R.releases` N+1
 * listing it, signed by the remote's publishers; with a tag, `R.tags` N+1 moving it to the new
 * release, signed by a mover. Checked in order: the role's threshold under the current
 * delegation, its version (MODMESH_META_CONFLICT), exactly this release added with these bytes,
 * R1 on the document, every file stored, the version new, nothing else listed changed; then all
 * of it, release and tag included, is one transaction.
 */
export async function publishSigned(
  services: {
    engine: TufEngine;
    metadata: MetadataStore;
    checkFiles: (files: { path: string; size: number; sha256: string }[], name: string, version: string) => Promise<void>;
  },
  name: string,
  body: Record<string, unknown>,
  principal: Principal,
): Promise<SignedPublishAnswer> {
  const document = body.document as { manifest?: { name?: unknown; version?: unknown }; signature?: unknown; signatures?: unknown[] } | undefined;
  if (!document || typeof document !== 'object' || !document.manifest || typeof document.manifest !== 'object') {
    throw new ModmeshError('MODMESH_MANIFEST_INVALID', '"document" must be the signed release: { manifest, signature }', { remote: name });
  }
  if (document.manifest.name !== name) {
    checkName(document.manifest.name);
    throw new ModmeshError('MODMESH_MANIFEST_MISMATCH', `the manifest is for ${String(document.manifest.name)}, published to ${name}`, { remote: name });
  }
  const version = checkVersion(document.manifest.version, name);
  const tag = optionalString(body, 'tag', 64);
  if (tag !== undefined) checkTag(tag, name);
  if ((tag === undefined) !== (body.tagsRole === undefined)) {
    throw new ModmeshError(
      tag === undefined ? 'MODMESH_BAD_REQUEST' : 'MODMESH_SIGNATURE_MISSING',
      tag === undefined ? '"tagsRole" was sent without a "tag"' : `tagging ${tag} needs ${name}.tags N+1 signed by a mover ("tagsRole")`,
      { remote: name, version, hint: 'Publish with `modmesh publish --tag TAG --mover-key mover.key`, or move the tag afterwards with `modmesh tag set`.' },
    );
  }
  let text: string;
  try {
    text = canonicalJson(document);
  } catch (cause) {
    throw new ModmeshError('MODMESH_MANIFEST_INVALID', `the release document cannot be written as canonical JSON: ${(cause as Error).message}`, {
      remote: name,
      version,
      cause,
    });
  }
  const result = await commitRoles(
    services.engine,
    services.metadata,
    {
      remote: name,
      releases: body.role,
      ...(tag !== undefined && { tags: body.tagsRole, requireMove: { tag, version } }),
      published: {
        version,
        document: text,
        verify: (manifest) => services.checkFiles(manifest.files, name, version),
        record: (manifest, signers) => ({
          name,
          version,
          manifest: canonicalJson(manifest),
          signature: (document.signature ?? document.signatures?.[0]) as ReleaseSignature,
          publishedAt: new Date().toISOString(),
          publishedBy: principal.id,
          files: manifest.files,
          document: text,
          signers,
        }),
      },
    },
    principal.id,
  );
  const files = (document.manifest as { files?: unknown[] }).files?.length ?? 0;
  return {
    name,
    version,
    files,
    ...(tag && { tag }),
    releasesVersion: result.releasesVersion as number,
    ...(result.tagsVersion && { tagsVersion: result.tagsVersion }),
  };
}
