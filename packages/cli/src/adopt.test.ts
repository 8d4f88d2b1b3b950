// The migration of design 16 §4.5 through the real command: a registry in legacy mode with
// releases and a tag, its root of trust made from the keys it has, each remote adopted without a
// tag going back, then legacy closed; and the tokens a team manages on the way.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, requireCompiled, runScript, type ScriptResult, type ServiceProcess, startService, stopAllServices } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

requireCompiled('packages/cli/dist/index.js');
const cli = path.join(repoRoot, 'packages/cli/bin/modmesh.js');
const { remoteDir } = inject('authBuild');

let registry: ServiceProcess;
let work: string;
let dataDir: string;
let admin: Record<string, string>;
let publishToken: string;
let tokenId: string;

function modmesh(args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> {
  return runScript({ script: cli, args, cwd: work, env: { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: undefined, MODMESH_ROOT: undefined, ...env } });
}

async function ok(args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> {
  const result = await modmesh(args, env);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

function refused(result: ScriptResult, code: string): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringContaining(`error ${code}: `) });
}

async function startRegistry(...flags: string[]): Promise<void> {
  registry = await startService({
    script: cli,
    args: ['registry', 'start', '--port', '0', '--data', dataDir, ...flags],
    env: { MODMESH_ADMIN_TOKEN: undefined },
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-cli-adopt-'));
  dataDir = path.join(work, 'registry-data');
  await startRegistry();
  admin = { MODMESH_TOKEN: readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim() };
  for (const name of ['root1', 'root2', 'publisher', 'mover']) await ok(['keys', 'generate', '--out', 'keys', '--name', name]);
});

afterAll(async () => {
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

describe('from legacy mode to root mode', () => {
  it('starts in legacy mode: a registered key, a publish token, two releases and stable moved once (seq 2)', async () => {
    await ok(['trust', 'add', 'auth', 'keys/publisher.pub'], admin);
    const created = JSON.parse((await ok(['token', 'create', '--remote', 'auth', '--label', 'auth CI', '--json'], admin)).stdout);
    publishToken = created.token;
    tokenId = created.id;
    const publisher = { MODMESH_TOKEN: publishToken };
    await ok(['publish', remoteDir, '--name', 'auth', '--version', '1.0.0', '--key', 'keys/publisher.key', '--tag', 'stable'], publisher);
    await ok(['publish', remoteDir, '--name', 'auth', '--version', '1.1.0', '--key', 'keys/publisher.key'], publisher);
    await ok(['tag', 'set', 'auth', 'stable', '1.1.0'], publisher);
  });

  it('makes the root of trust from the keys the registry has, and pushes it', async () => {
    const online = JSON.parse((await ok(['registry', 'online-key', 'print', '--data', dataDir, '--json'])).stdout).keys[0].publicKey;
    await ok(['root', 'create', '--root-key', 'keys/root1.pub', '--root-key', 'keys/root2.pub', '--online-key', online, '--dir', 'trust']);
    const added = await ok(['root', 'add-remote', 'auth', '--publishers-from-registry', '--mover', 'keys/mover.pub', '--dir', 'trust'], admin);
    expect(added.stdout).toContain('auth.releases signed by 1 publisher key(s)');
    for (const file of ['1.root.json', '2.targets.json'])
      for (const key of ['root1', 'root2']) await ok(['root', 'sign', `trust/${file}`, '--key', `keys/${key}.key`]);
    await ok(['root', 'push', '--dir', 'trust'], admin);
  });

  it('adopts: releases adopt lists both releases, tags adopt continues stable at seq 3, the same version', async () => {
    const env = { MODMESH_TOKEN: publishToken, MODMESH_ROOT: 'trust/1.root.json' };
    expect((await ok(['releases', 'adopt', 'auth', '--key', 'keys/publisher.key'], env)).stdout).toBe('auth.releases v1 lists 2 releases\n');
    const tags = await ok(['tags', 'adopt', 'auth', '--key', 'keys/mover.key'], env);
    expect(tags.stderr).toContain('stable: 1.1.0 (seq 2) -> signed as seq 3');
    const listed = JSON.parse((await ok(['ls', 'auth', '--json'])).stdout).tags;
    expect(listed).toEqual([expect.objectContaining({ tag: 'stable', version: '1.1.0', seq: 3 })]);
    refused(await modmesh(['tag', 'set', 'auth', 'stable', '1.0.0'], { MODMESH_TOKEN: publishToken }), 'MODMESH_SIGNATURE_MISSING');
    expect((await ok(['tag', 'set', 'auth', 'stable', '1.0.0', '--rollback', '--key', 'keys/mover.key'], env)).stdout).toBe(
      'stable: 1.1.0 -> 1.0.0 (rollback), seq 4, auth.tags v2\n',
    );
  });

  it('lists, audits and revokes the publish token: refused at once afterwards', async () => {
    const listed = JSON.parse((await ok(['token', 'ls', '--json'], admin)).stdout).tokens;
    expect(listed).toEqual([expect.objectContaining({ id: tokenId, role: 'publish', remote: 'auth', label: 'auth CI', lastUsedAt: expect.any(String) })]);
    const audit = JSON.parse((await ok(['audit', '--json'], admin)).stdout).entries;
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ tokenId, action: 'PUT /v1/remotes/:name/tags', outcome: 'ok' })]));
    expect((await ok(['token', 'revoke', tokenId], admin)).stdout).toMatch(/^revoked .+ \(publish for auth\) at /);
    refused(await modmesh(['ls', 'auth'], { MODMESH_TOKEN: publishToken }), 'MODMESH_TOKEN_REVOKED');
  });

  it('closes legacy mode with --require-signed-tags: no key registered by admin, no unsigned publish, even of a remote not adopted', async () => {
    await ok(['trust', 'add', 'billing', 'keys/publisher.pub'], admin);
    await stopAllServices();
    await startRegistry('--require-signed-tags');
    refused(await modmesh(['trust', 'add', 'billing', 'keys/root1.pub'], admin), 'MODMESH_FORBIDDEN');
    const billing = JSON.parse((await ok(['token', 'create', '--remote', 'billing', '--json'], admin)).stdout).token;
    const publish = await modmesh(['publish', remoteDir, '--name', 'billing', '--version', '1.0.0', '--key', 'keys/publisher.key'], { MODMESH_TOKEN: billing });
    refused(publish, 'MODMESH_SIGNATURE_MISSING');
    expect(publish.stderr).toContain('--require-signed-tags');
  });
});
