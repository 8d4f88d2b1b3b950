import type { PublishAnswer, RegistryClient, SignedPublishRequest, TufEnvelope } from '@modmesh/api';
import { canonicalJson, isModmeshError, ModmeshError, type SignedRelease } from '@modmesh/manifest';
import { addSignature, buildReleasesUpdate, buildTagsUpdate, releasePath, signingKeyids, type TagsSigned, type TagTarget, tagPath } from '@modmesh/trust';
import { createNodeSigner } from '@modmesh/trust/node';
import semver from 'semver';
import type { ParsedArgs } from '../args.js';
import type { Output } from '../output.js';
import { crypto, delegatedPublishers, expiresIn, trustedRootBytes, verifyRegistry } from '../trust.js';
import { ROLE_EXPIRY_DAYS, signRole } from './tags-signed.js';

// A publish built on a version someone else just replaced is built again, this many times at most (design 16 §4.2).
const MAX_ATTEMPTS = 5;
// Codes that mean "built on a version that is no longer current": re-read, re-verify, re-sign.
const RETRIED = new Set(['MODMESH_META_CONFLICT', 'MODMESH_TAG_CONFLICT']);

export interface RootModePublish {
  name: string;
  version: string;
  signed: SignedRelease;
  privateKeyPem: string;
  tag?: string;
  reason?: string;
  /** Uploads the files the registry lacks (after the checks that need no upload), knowing the publishers the verified targets delegates. */
  upload(publishers: string[]): Promise<void>;
}

/**
 * `modmesh publish` in root mode: verifies the registry from the trusted root, checks the key is
 * one of the remote's delegated publishers and the version is new, uploads the files, then
 * signs `R.releases` N+1 listing the release (and with --tag, `R.tags` N+1 with --mover-key) and
 * publishes both with it. Built on a version someone else replaced meanwhile: re-read, re-verify
 * and signed again, at most 5 times.
 */
export async function publishRootMode(client: RegistryClient, args: ParsedArgs, cwd: string, output: Output, publish: RootModePublish): Promise<PublishAnswer> {
  const { name, version, tag } = publish;
  const role = `${name}.releases`;
  const rootBytes = await trustedRootBytes(args, cwd, 'publish');
  const publisher = await createNodeSigner(publish.privateKeyPem);
  const moverKey = args.value('mover-key');
  if (tag && !moverKey) {
    throw new ModmeshError('MODMESH_USAGE', `tagging ${name}@${version} ${tag} in root mode is a tag move: it needs a mover's signature`, {
      hint: 'Pass --mover-key FILE, or publish without --tag and move it with `modmesh tag set`.',
    });
  }
  const document = new TextEncoder().encode(canonicalJson(publish.signed));
  let verified = await verifyRegistry(client, rootBytes, { remotes: [name] });
  const allowed = signingKeyids(role, {}, { targets: verified.targets });
  if (!allowed.includes(publisher.keyid)) {
    throw new ModmeshError('MODMESH_KEY_NOT_TRUSTED', `your key ${publisher.keyid} is not a publisher of ${name} in targets v${verified.targets.version}`, {
      remote: name,
      version,
      hint: `Have the root key holders add it: \`modmesh root add-remote\` (or a new targets), then \`modmesh root push\`.`,
    });
  }
  if (verified.role(role)?.targets[releasePath(name, version)]) {
    throw new ModmeshError('MODMESH_VERSION_EXISTS', `${name}@${version} is already listed by ${role}; releases are immutable`, { remote: name, version });
  }
  await publish.upload(delegatedPublishers(verified, name));
  for (let attempt = 1; ; attempt += 1) {
    if (attempt > 1) verified = await verifyRegistry(client, rootBytes, { remotes: [name] });
    const expires = expiresIn(args.value('expires'), ROLE_EXPIRY_DAYS);
    const update = await buildReleasesUpdate(verified.role(role), { remote: name, add: { version, document }, expires }, crypto);
    output.note(
      `signing ${role} v${update.signed.version}: adds ${releasePath(name, version)} (${document.length} bytes, sha256 ${update.signed.targets[releasePath(name, version)]?.hashes.sha256})`,
    );
    const request: SignedPublishRequest = { document: publish.signed, role: (await addSignature(update, publisher, allowed)) as unknown as TufEnvelope };
    if (tag && moverKey) {
      const current = verified.role<TagsSigned>(`${name}.tags`);
      const before = (current?.targets[tagPath(name, tag)] as TagTarget | undefined)?.custom.modmesh;
      const tags = buildTagsUpdate(current, update.signed, {
        remote: name,
        tag,
        version,
        rollback: before !== undefined && semver.lt(version, before.version),
        ...(publish.reason !== undefined && { reason: publish.reason }),
        movedAt: new Date().toISOString(),
        expires,
      });
      output.note(`signing ${name}.tags v${tags.signed.version}: ${tag} ${before ? `${before.version} (seq ${before.seq})` : '(new)'} -> ${version}`);
      request.tag = tag;
      request.tagsRole = (await signRole(verified, `${name}.tags`, tags, moverKey, cwd)) as unknown as TufEnvelope;
    }
    try {
      return await client.publish(name, request);
    } catch (error) {
      if (!isModmeshError(error) || !RETRIED.has(error.code) || attempt >= MAX_ATTEMPTS) throw error;
      output.note(`${error.code}: someone changed ${name}'s roles first; verifying again and signing on top (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`);
    }
  }
}
