// Standard TUF tooling reads a running modmesh registry (design 16 §5 item 6): stock tuf-js
// 5.0.1 (the last major that runs on Node 20; pinned in DEVELOPERS.md), trusting the registry's
// root v1, refreshes from a `modmesh registry start` process after a root-mode publish by the real
// CLI, finds auth/tags/stable with its signed tag state, and downloads the release document it
// names: the very bytes the registry serves for auth@1.1.0.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTufKey, repoRoot, requireCompiled, runScript, type ServiceProcess, startService, stopAllServices } from '@modmesh/test-utils';
import { addRemote, addSignature, documentBytes, draftRoot, draftTargets, type Envelope } from '@modmesh/trust';
import { createNodeCrypto, createNodeSigner } from '@modmesh/trust/node';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

requireCompiled('packages/cli/dist/index.js');
const cli = path.join(repoRoot, 'packages/cli/bin/modmesh.js');
const { remoteDir } = inject('authBuild');
const crypto = createNodeCrypto();

let registry: ServiceProcess;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-tuf-interop-'));
  const dataDir = path.join(work, 'data');
  registry = await startService({ script: cli, args: ['registry', 'start', '--port', '0', '--data', dataDir], env: { MODMESH_ADMIN_TOKEN: undefined } });
  const admin = { authorization: `Bearer ${readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim()}` };

  // The root ceremony, done here with the same builders the CLI uses: 2-of-2 root keys, the
  // registry's own online key, one publisher and one mover for auth.
  const [root1, root2, publisher, mover] = await Promise.all([generateTufKey(), generateTufKey(), generateTufKey(), generateTufKey()]);
  const online = await createNodeSigner(readFileSync(path.join(dataDir, 'online-key'), 'utf8'));
  const expires = `${new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 19)}Z`;
  const sign = async <T>(envelope: Envelope<T>) =>
    addSignature(await addSignature(envelope, root1!.signer, [root1!.signer.keyid]), root2!.signer, [root2!.signer.keyid]);
  const root = await sign(await draftRoot({ rootKeys: [root1!.signer.key, root2!.signer.key], threshold: 2, onlineKeys: [online.key], expires }, crypto));
  const targets = await sign(
    await addRemote(draftTargets(expires).signed, { remote: 'auth', publishers: [publisher!.signer.key], movers: [mover!.signer.key], expires }, crypto),
  );
  for (const [url, body] of [
    ['/v1/tuf/roots/1', root],
    [`/v1/tuf/targets/${targets.signed.version}`, targets],
  ] as const) {
    const response = await fetch(`${registry.url}${url}`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`${url}: ${await response.text()}`);
  }
  writeFileSync(path.join(work, 'root.json'), documentBytes(root));
  writeFileSync(path.join(work, 'publisher.key'), publisher!.privateKeyPem);
  writeFileSync(path.join(work, 'mover.key'), mover!.privateKeyPem);

  // Publishing as a team does it: the CLI, in root mode, signing auth.releases and auth.tags.
  const env = { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: admin.authorization.slice('Bearer '.length), MODMESH_ROOT: 'root.json' };
  for (const [version, ...more] of [['1.0.0'], ['1.1.0', '--tag', 'stable', '--mover-key', 'mover.key']]) {
    const published = await runScript({
      script: cli,
      args: ['publish', remoteDir, '--name', 'auth', '--version', version!, '--key', 'publisher.key', ...more],
      cwd: work,
      env,
    });
    if (published.code !== 0) throw new Error(`publish ${version}: ${published.stderr}`);
  }
});

afterAll(async () => {
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

describe('stock tuf-js 5.0.1 against a running registry', () => {
  it('refreshes from root v1, finds auth/tags/stable with its signed state, and downloads the release document it names', async () => {
    const metadataDir = mkdtempSync(path.join(work, 'metadata-'));
    writeFileSync(path.join(metadataDir, 'root.json'), readFileSync(path.join(work, 'root.json')));
    const updater = new Updater({
      metadataDir,
      metadataBaseUrl: `${registry.url}/v1/tuf/metadata`,
      targetDir: mkdtempSync(path.join(work, 'targets-')),
      targetBaseUrl: `${registry.url}/v1/tuf/targets`,
    });

    await updater.refresh();
    const stable = await updater.getTargetInfo('auth/tags/stable');

    expect(stable?.custom).toMatchObject({ modmesh: { remote: 'auth', tag: 'stable', version: '1.1.0', seq: 1, rollback: false, previous: null } });
    const file = await updater.downloadTarget(stable as NonNullable<typeof stable>);
    const served = Buffer.from(await (await fetch(`${registry.url}/v1/remotes/auth/releases/1.1.0/document`)).arrayBuffer());
    expect(readFileSync(file)).toEqual(served);
    expect(JSON.parse(readFileSync(file, 'utf8')).manifest).toMatchObject({ name: 'auth', version: '1.1.0' });
    expect(await updater.getTargetInfo('auth/releases/1.0.0.json')).toMatchObject({ length: expect.any(Number) });
    expect(await updater.getTargetInfo('auth/releases/9.9.9.json')).toBeUndefined();
  });
});
