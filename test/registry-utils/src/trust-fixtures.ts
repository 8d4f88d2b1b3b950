// A root of trust for a test registry (design 16): 2-of-3 root keys, the registry's own online
// key, and for each remote a publisher and a mover, with helpers that sign what the CLI signs.
import { canonicalJson, signRelease } from '@modmesh/manifest';
import type { RegistryApp } from '@modmesh/registry';
import { generateTufKey, type TufKeyPair } from '@modmesh/test-utils';
import {
  addRemote,
  addSignature,
  buildReleasesUpdate,
  buildTagsUpdate,
  draftRoot,
  draftTargets,
  type Envelope,
  type ReleasesSigned,
  type RootSigned,
  type TagsSigned,
  type TargetsSigned,
} from '@modmesh/trust';
import { createNodeCrypto } from '@modmesh/trust/node';
import type { LightMyRequestResponse } from 'fastify';
import { ADMIN_TOKEN, bearer, type ReleaseFixture, uploadFiles } from './fixtures.js';

export interface TrustFixture {
  keys: { root: TufKeyPair[]; publishers: Record<string, TufKeyPair>; movers: Record<string, TufKeyPair> };
  /** The newest root and targets pushed (or drafted). */
  root: Envelope<RootSigned>;
  targets: Envelope<TargetsSigned>;
  /** An `expires` this many days ahead. */
  after(days: number): string;
  /** Signs `envelope` with each key, whether or not the role names it (tests forge with this). */
  sign<T>(envelope: Envelope<T>, signers: readonly TufKeyPair[]): Promise<Envelope<T>>;
  /** Pushes root v1 and targets v1, signed by two of the three root keys. */
  push(): Promise<void>;
  /** The newest document of a remote's role at the registry, undefined when there is none. */
  role<T = ReleasesSigned>(name: string): Promise<Envelope<T> | undefined>;
  /** `{ document, role, tag?, tagsRole? }` for `POST .../releases` in root mode, signed as the CLI does. */
  publishBody(fixture: ReleaseFixture, options?: { tag?: string; publisher?: TufKeyPair; mover?: TufKeyPair }): Promise<Record<string, unknown>>;
  /** Uploads the files and publishes in root mode with `token`; the inject response. */
  publish(fixture: ReleaseFixture, token: string, options?: { tag?: string }): Promise<LightMyRequestResponse>;
  /** `R.tags` N+1 moving `tag`, signed by the remote's mover (or `signers`). */
  tagsRole(
    remote: string,
    tag: string,
    version: string,
    options?: { rollback?: boolean; signers?: TufKeyPair[]; reason?: string },
  ): Promise<Envelope<TagsSigned>>;
}

const DAY_MS = 86_400_000;

export async function createTrustFixture(registry: RegistryApp, options: { remotes?: string[] } = {}): Promise<TrustFixture> {
  const crypto = createNodeCrypto();
  const remotes = options.remotes ?? ['auth'];
  const keys = {
    root: await Promise.all([0, 1, 2].map(() => generateTufKey())),
    publishers: Object.fromEntries(await Promise.all(remotes.map(async (remote) => [remote, await generateTufKey()] as const))),
    movers: Object.fromEntries(await Promise.all(remotes.map(async (remote) => [remote, await generateTufKey()] as const))),
  };
  const online = registry.tuf.engine.signer.held().map((signer) => signer.key);
  const after = (days: number) => `${new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 19)}Z`;
  const sign = async <T>(envelope: Envelope<T>, signers: readonly TufKeyPair[]) => {
    let signed = envelope;
    for (const pair of signers) signed = await addSignature(signed, pair.signer, [pair.signer.keyid]);
    return signed;
  };
  let targets = draftTargets(after(365));
  for (const remote of remotes) {
    targets = await addRemote(
      targets.signed,
      { remote, publishers: [keys.publishers[remote]!.signer.key], movers: [keys.movers[remote]!.signer.key], expires: after(365) },
      crypto,
    );
  }
  const inject = registry.app.inject.bind(registry.app);
  const fixture: TrustFixture = {
    keys,
    root: await sign(
      await draftRoot({ rootKeys: keys.root.map((pair) => pair.signer.key), threshold: 2, onlineKeys: online, expires: after(365) }, crypto),
      keys.root.slice(0, 2),
    ),
    targets: await sign(targets, keys.root.slice(0, 2)),
    after,
    sign,
    async push() {
      for (const [url, body] of [
        [`/v1/tuf/roots/${fixture.root.signed.version}`, fixture.root],
        [`/v1/tuf/targets/${fixture.targets.signed.version}`, fixture.targets],
      ] as const) {
        const response = await inject({ method: 'PUT', url, headers: bearer(ADMIN_TOKEN), payload: body as never });
        if (response.statusCode !== 200) throw new Error(`${url}: ${response.body}`);
      }
    },
    async role<T>(name: string) {
      const head = await registry.tuf.engine.context();
      const version = head.head.current[name]?.version;
      if (!version) return undefined;
      const response = await inject({ method: 'GET', url: `/v1/tuf/metadata/${version}.${name}.json` });
      return JSON.parse(response.body) as Envelope<T>;
    },
    async publishBody(release, publishOptions = {}) {
      const remote = release.manifest.name;
      const publisher = publishOptions.publisher ?? keys.publishers[remote]!;
      const document = signRelease(release.manifest, publisher.privateKeyPem);
      const current = await fixture.role(`${remote}.releases`);
      const role = await sign(
        await buildReleasesUpdate(
          current?.signed,
          { remote, add: { version: release.manifest.version, document: new TextEncoder().encode(canonicalJson(document)) }, expires: after(365) },
          crypto,
        ),
        [publisher],
      );
      if (!publishOptions.tag) return { document, role };
      const tags = await fixture.role<TagsSigned>(`${remote}.tags`);
      const tagsRole = await sign(
        buildTagsUpdate(tags?.signed, role.signed, {
          remote,
          tag: publishOptions.tag,
          version: release.manifest.version,
          movedAt: new Date().toISOString(),
          expires: after(365),
        }),
        [publishOptions.mover ?? keys.movers[remote]!],
      );
      return { document, role, tag: publishOptions.tag, tagsRole };
    },
    async publish(release, token, publishOptions = {}) {
      await uploadFiles(registry as never, release.manifest.name, token, release.files);
      const payload = await fixture.publishBody(release, publishOptions);
      return inject({ method: 'POST', url: `/v1/remotes/${release.manifest.name}/releases`, headers: bearer(token), payload: payload as never });
    },
    async tagsRole(remote, tag, version, tagOptions = {}) {
      const releases = await fixture.role(`${remote}.releases`);
      const tags = await fixture.role<TagsSigned>(`${remote}.tags`);
      const update = buildTagsUpdate(tags?.signed, releases?.signed as ReleasesSigned, {
        remote,
        tag,
        version,
        ...(tagOptions.rollback !== undefined && { rollback: tagOptions.rollback }),
        ...(tagOptions.reason !== undefined && { reason: tagOptions.reason }),
        movedAt: new Date().toISOString(),
        expires: after(365),
      });
      return sign(update, tagOptions.signers ?? [keys.movers[remote]!]);
    },
  };
  return fixture;
}
