import { createHash, type KeyObject } from 'node:crypto';
import type { PublishAnswer } from '@modmesh/api';
import { canonicalJson, ModmeshError, parsePublicKey, verifyRelease } from '@modmesh/manifest';
import type { Principal } from './auth.js';
import type { EventHub } from './events.js';
import type { RegistryMetrics } from './metrics.js';
import { publishSigned } from './publish-signed.js';
import type { BlobStore, MetadataStore } from './storage/types.js';
import type { LegacyGate } from './tuf/legacy-gate.js';
import type { TufEngine } from './tuf/service.js';
import { checkName, checkTag, checkVersion, optionalString } from './validate.js';

export interface Publisher {
  /**
   * Refuses a publish whose key is not trusted for the remote before any of its files is stored:
   * a remote nobody registered a key for takes no files, and an upload that declares its signing
   * key (modmesh publish does) is refused when that key is not registered for the remote.
   */
  checkUploadKey(name: string, declared: string | string[] | undefined): Promise<void>;
  /**
   * Verifies a signed release against the remote's keys and its stored files, then commits it (and its tag) with its events.
   * A body with `role` is a publish in root mode (publish-signed.ts); without, a legacy one, refused once the remote is signed.
   */
  publish(name: string, body: Record<string, unknown>, principal: Principal): Promise<PublishAnswer>;
}

// Every file of a release is re-read and re-hashed before the release becomes visible; this
// many at a time.
const VERIFY_CONCURRENCY = 8;

export function createPublisher(services: {
  metadata: MetadataStore;
  blobs: BlobStore;
  hub: EventHub;
  metrics: RegistryMetrics;
  engine: TufEngine;
  gate: LegacyGate;
}): Publisher {
  const { metadata, blobs, hub, metrics, engine, gate } = services;

  return {
    async checkUploadKey(name, declared) {
      // A remote the root of trust delegates takes its delegated publishers' keys (only those, once
      // its releases role exists); registered keys are legacy mode's.
      const trust = await gate.trustOf(name);
      const keys = trust.releasesSigned ? [] : await metadata.publisherKeys(name);
      const allowed = new Set([...keys.map((key) => key.keyId), ...trust.publisherKeyIds]);
      if (allowed.size === 0) {
        throw new ModmeshError(
          'MODMESH_KEY_NOT_TRUSTED',
          `no publisher key is registered for ${name}, so no release of it can be published; nothing was stored`,
          {
            remote: name,
            hint: `Register the publisher's public key first: modmesh trust add ${name} <public key file> (admin token).`,
          },
        );
      }
      if (typeof declared === 'string' && !allowed.has(declared)) {
        throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `key ${declared.slice(0, 64)} is not registered for ${name}; nothing was stored`, {
          remote: name,
          hint: `Have an admin register its public key: modmesh trust add ${name} <your .pub file>.`,
        });
      }
    },

    async publish(name, body, principal) {
      if (body.role !== undefined) {
        const answer = await publishSigned(
          { engine, metadata, checkFiles: (files, remote, version) => checkFilesStored(blobs, files, remote, version) },
          name,
          body,
          principal,
        );
        if (answer.tag) metrics.tagMoves.inc({ kind: 'move' });
        return answer;
      }
      await gate.publish(name);
      // A tag on an unsigned publish is a move the registry decides: closed as any other once the tags are signed.
      if (body.tag !== undefined) await gate.tagMove(name);
      const raw = (body.manifest ?? {}) as { name?: unknown; version?: unknown };
      if (raw.name !== name) checkName(raw.name);
      if (raw.name !== name)
        throw new ModmeshError('MODMESH_MANIFEST_MISMATCH', `the manifest is for ${String(raw.name)}, published to ${name}`, { remote: name });
      const version = checkVersion(raw.version, name);
      const tag = optionalString(body, 'tag', 64);
      if (tag !== undefined) checkTag(tag, name);
      const reason = optionalString(body, 'reason') ?? `published ${version}`;

      const keys = await metadata.publisherKeys(name);
      if (keys.length === 0) {
        throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `no publisher key is registered for ${name}`, {
          remote: name,
          version,
          hint: `Register the publisher's public key first: modmesh trust add ${name} <public key file> (admin token).`,
        });
      }
      const trusted = new Map<string, KeyObject>(keys.map((key) => [key.keyId, parsePublicKey(key.publicKey)]));
      const manifest = verifyRelease({ manifest: body.manifest, signature: body.signature }, { trusted, expect: { name, version } });
      await checkFilesStored(blobs, manifest.files, name, version);

      const events = await metadata.insertRelease({
        name,
        version,
        manifest: canonicalJson(manifest),
        signature: body.signature as { algorithm: 'ed25519'; keyId: string; value: string },
        publishedAt: new Date().toISOString(),
        publishedBy: principal.id,
        files: manifest.files,
        ...(tag && { tag: { name: tag, reason } }),
      });
      hub.publish(events);
      if (tag) metrics.tagMoves.inc({ kind: 'move' });
      return { name, version, files: manifest.files.length, ...(tag && { tag }) };
    },
  };
}

// --- internal ---

// Every file must be stored, complete, and still hash to what the signed manifest says.
async function checkFilesStored(blobs: BlobStore, files: { path: string; size: number; sha256: string }[], remote: string, version: string): Promise<void> {
  const queue = [...files];
  const worker = async function verifyStored(): Promise<void> {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const stream = await blobs.open(file.sha256);
      if (!stream) {
        throw new ModmeshError('MODMESH_FILE_MISSING', `${remote}@${version}: ${file.path} (${file.sha256}) was not uploaded`, {
          remote,
          version,
          file: file.path,
        });
      }
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        hash.update(chunk as Buffer);
      }
      if (size !== file.size || hash.digest('hex') !== file.sha256) {
        throw new ModmeshError('MODMESH_HASH_MISMATCH', `${remote}@${version}: stored bytes of ${file.path} do not match its size and SHA-256`, {
          remote,
          version,
          file: file.path,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(VERIFY_CONCURRENCY, files.length) }, worker));
}
