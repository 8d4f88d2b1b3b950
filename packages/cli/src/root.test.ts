// Root mode through the real command (design 16 §4.2): a root ceremony offline, its push, then
// publishing, tag moves and rollbacks signed by the people who make them, every one verified from
// the trusted root first; and the registry side's online key.
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
let adminToken: string;
let publishToken: string;

function modmesh(args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> {
  return runScript({
    script: cli,
    args,
    cwd: work,
    env: { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: undefined, MODMESH_ROOT: undefined, MODMESH_KEY: undefined, MODMESH_MOVER_KEY: undefined, ...env },
  });
}

async function ok(args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> {
  const result = await modmesh(args, env);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

function expectRefused(result: ScriptResult, code: string): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringContaining(`error ${code}: `) });
}

const asPublisher = () => ({ MODMESH_TOKEN: publishToken, MODMESH_ROOT: 'trust/1.root.json' });

async function tags(): Promise<{ tag: string; version: string; seq: number }[]> {
  return ((await (await fetch(`${registry.url}/v1/remotes/auth/tags`)).json()) as { tags: { tag: string; version: string; seq: number }[] }).tags;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-cli-root-'));
  dataDir = path.join(work, 'registry-data');
  registry = await startService({ script: cli, args: ['registry', 'start', '--port', '0', '--data', dataDir], env: { MODMESH_ADMIN_TOKEN: undefined } });
  adminToken = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  for (const name of ['root1', 'root2', 'root3', 'publisher', 'mover', 'stranger']) await ok(['keys', 'generate', '--out', 'keys', '--name', name]);
});

afterAll(async () => {
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

describe('a root of trust, made offline and pushed', () => {
  it('registry online-key print names the key the registry generated on first start', async () => {
    const printed = JSON.parse((await ok(['registry', 'online-key', 'print', '--data', dataDir, '--json'])).stdout);
    expect(printed.keys).toEqual([
      { file: path.join(dataDir, 'online-key'), publicKey: expect.stringMatching(/^ed25519:/), keyid: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const created = await ok([
      'root',
      'create',
      '--root-key',
      'keys/root1.pub',
      '--root-key',
      'keys/root2.pub',
      '--root-key',
      'keys/root3.pub',
      '--threshold',
      '2',
      '--online-key',
      printed.keys[0].publicKey,
      '--dir',
      'trust',
    ]);
    expect(created.stdout).toContain('1.root.json and 1.targets.json (unsigned drafts');
    const added = await ok(['root', 'add-remote', 'auth', '--publisher', 'keys/publisher.pub', '--mover', 'keys/mover.pub', '--dir', 'trust']);
    expect(added.stdout).toContain('2.targets.json (unsigned): auth.releases signed by 1 publisher key(s), auth.tags by 1 mover key(s)');
  });

  it('root sign adds root-key signatures and refuses a key the document does not name; inspect counts them', async () => {
    expectRefused(await modmesh(['root', 'sign', 'trust/1.root.json', '--key', 'keys/publisher.key']), 'MODMESH_KEY_NOT_TRUSTED');
    const first = await ok(['root', 'sign', 'trust/1.root.json', '--key', 'keys/root1.key']);
    expect(first.stdout).toBe('signed 1.root.json: 1 of 2 keys of root v1\n');
    expect(first.stderr).toContain('signing root v1 (1.root.json) with key');
    expect((await ok(['root', 'sign', 'trust/1.root.json', '--key', 'keys/root2.key'])).stdout).toBe('signed 1.root.json: 2 of 2 keys of root v1\n');
    for (const key of ['root1', 'root3']) await ok(['root', 'sign', 'trust/2.targets.json', '--key', `keys/${key}.key`]);
    const inspected = await ok(['root', 'inspect', 'trust/1.root.json']);
    expect(inspected.stdout).toContain('signatures: 2 of 2 needed from its own root keys');
    expect(inspected.stdout).toMatch(/^root: 2 of 3$/m);
  });

  it('root push uploads root v1 and the newest targets (admin), and a second push has nothing to do', async () => {
    expectRefused(await modmesh(['root', 'push', '--dir', 'trust'], { MODMESH_TOKEN: 'wrong-token-but-long-enough' }), 'MODMESH_AUTH_REQUIRED');
    expect((await ok(['root', 'push', '--dir', 'trust'], { MODMESH_TOKEN: adminToken })).stdout).toBe('pushed root v1, targets v2\n');
    expect((await ok(['root', 'push', '--dir', 'trust'], { MODMESH_TOKEN: adminToken })).stdout).toBe('the registry has these already\n');
    await ok(['root', 'pull', '--root', 'trust/1.root.json', '--out', 'pulled.json']);
    expect(readFileSync(path.join(work, 'pulled.json'))).toEqual(readFileSync(path.join(work, 'trust/1.root.json')));
  });
});

describe('publishing and moving tags in root mode', () => {
  it('publish verifies the registry, signs auth.releases N+1 and publishes; --tag with --mover-key signs auth.tags too', async () => {
    publishToken = /\b(mmp_\S+)/.exec((await ok(['token', 'create', '--remote', 'auth'], { MODMESH_TOKEN: adminToken })).stdout)?.[1] ?? '';
    expectRefused(
      await modmesh(['publish', remoteDir, '--name', 'auth', '--version', '1.0.0', '--key', 'keys/stranger.key'], asPublisher()),
      'MODMESH_KEY_NOT_TRUSTED',
    );
    const first = await ok(['publish', remoteDir, '--name', 'auth', '--version', '1.0.0', '--key', 'keys/publisher.key'], asPublisher());
    expect(first.stdout).toMatch(/^published auth@1\.0\.0: \d+ files .*, listed by auth\.releases v1, in \d+ ms\n$/);
    expect(first.stderr).toContain('signing auth.releases v1: adds auth/releases/1.0.0.json');

    expectRefused(
      await modmesh(['publish', remoteDir, '--name', 'auth', '--version', '1.1.0', '--key', 'keys/publisher.key', '--tag', 'stable'], asPublisher()),
      'MODMESH_USAGE',
    );
    const tagged = await ok(
      ['publish', remoteDir, '--name', 'auth', '--version', '1.1.0', '--key', 'keys/publisher.key', '--tag', 'stable', '--mover-key', 'keys/mover.key'],
      asPublisher(),
    );
    expect(tagged.stdout).toContain('tagged stable, listed by auth.releases v2');
    expect(await tags()).toEqual([expect.objectContaining({ tag: 'stable', version: '1.1.0', seq: 1 })]);
  });

  it('a legacy move is refused; tag set needs --rollback exactly when it goes back', async () => {
    expectRefused(await modmesh(['tag', 'set', 'auth', 'stable', '1.0.0'], { MODMESH_TOKEN: publishToken }), 'MODMESH_SIGNATURE_MISSING');
    expectRefused(await modmesh(['tag', 'set', 'auth', 'stable', '1.0.0', '--key', 'keys/mover.key'], asPublisher()), 'MODMESH_TAG_STATE_INVALID');
    expectRefused(
      await modmesh(['tag', 'set', 'auth', 'stable', '1.0.0', '--key', 'keys/publisher.key', '--rollback'], asPublisher()),
      'MODMESH_KEY_NOT_TRUSTED',
    );
    const back = await ok(['tag', 'set', 'auth', 'stable', '1.0.0', '--key', 'keys/mover.key', '--rollback', '--reason', 'login broken'], asPublisher());
    expect(back.stdout).toBe('stable: 1.1.0 -> 1.0.0 (rollback), seq 2, auth.tags v2\n');
    expect(back.stderr).toContain('signing auth.tags v2: stable 1.1.0 (seq 1) -> 1.0.0 (seq 2), a rollback');
    expectRefused(
      await modmesh(['tag', 'set', 'auth', 'stable', '1.1.0', '--key', 'keys/mover.key', '--rollback'], asPublisher()),
      'MODMESH_TAG_STATE_INVALID',
    );
    await ok(['tag', 'set', 'auth', 'stable', '1.1.0', '--key', 'keys/mover.key'], asPublisher());
  });

  it('rollback proposes the move before the last one, checks it is listed, and signs it as a rollback', async () => {
    const rolled = await ok(['rollback', 'auth', 'stable', '--key', 'keys/mover.key'], asPublisher());
    expect(rolled.stdout).toBe('stable: 1.1.0 -> 1.0.0 (rollback), seq 4, auth.tags v4\n');
    expect(await tags()).toEqual([expect.objectContaining({ tag: 'stable', version: '1.0.0', seq: 4 })]);
  });

  it('--out writes the signed move for more signatures; sign adds one after checking the registry; tag push sends it', async () => {
    const out = await ok(['tag', 'set', 'auth', 'canary', '1.1.0', '--key', 'keys/mover.key', '--out', 'move.json'], asPublisher());
    expect(out.stdout).toContain('wrote');
    expect(await tags()).toHaveLength(1);
    expectRefused(await modmesh(['sign', 'move.json', '--key', 'keys/publisher.key'], asPublisher()), 'MODMESH_KEY_NOT_TRUSTED');
    await ok(['sign', 'move.json', '--key', 'keys/mover.key'], asPublisher());
    expect((await ok(['tag', 'push', 'move.json'], { MODMESH_TOKEN: publishToken })).stdout).toBe('canary: (new) -> 1.1.0, seq 1\n');
    expect((await tags()).map((tag) => tag.tag)).toEqual(['canary', 'stable']);
  });

  it('releases refresh and tag refresh sign the roles again with a later expiry', async () => {
    expect((await ok(['releases', 'refresh', 'auth', '--key', 'keys/publisher.key', '--expires', '400d'], asPublisher())).stdout).toMatch(
      /^auth\.releases v3 expires /,
    );
    expect((await ok(['tag', 'refresh', 'auth', '--key', 'keys/mover.key'], asPublisher())).stdout).toMatch(/^auth\.tags v6 expires /);
  });

  it('verifies before signing: a registry whose root chain does not start at the trusted root is refused', async () => {
    await ok(['keys', 'generate', '--out', 'other', '--name', 'r']);
    await ok(['root', 'create', '--root-key', 'other/r.pub', '--threshold', '1', '--online-key', 'other/r.pub', '--dir', 'other-trust']);
    await ok(['root', 'sign', 'other-trust/1.root.json', '--key', 'other/r.key']);
    const refused = await modmesh(['tag', 'set', 'auth', 'stable', '1.1.0', '--key', 'keys/mover.key'], {
      ...asPublisher(),
      MODMESH_ROOT: 'other-trust/1.root.json',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error MODMESH_(ROOT_ROTATION_REFUSED|META_SIGNATURE): /);
    expect(await tags()).toEqual(expect.arrayContaining([expect.objectContaining({ tag: 'stable', version: '1.0.0' })]));
  });
});

describe('rotating the online key', () => {
  it('online-key rotate, root rotate --online-key, sign by the old and new threshold, push: the registry signs with the new key', async () => {
    const next = JSON.parse((await ok(['registry', 'online-key', 'rotate', '--data', dataDir, '--json'])).stdout).next;
    await ok(['root', 'rotate', '--online-key', next, '--dir', 'trust']);
    for (const key of ['root2', 'root3']) await ok(['root', 'sign', 'trust/2.root.json', '--key', `keys/${key}.key`]);
    expect((await ok(['root', 'inspect', 'trust/2.root.json'])).stdout).toContain("2 of 2 needed from root v1's keys");
    expect((await ok(['root', 'push', '--dir', 'trust'], { MODMESH_TOKEN: adminToken })).stdout).toBe('pushed root v2\n');
    const timestamp = (await (await fetch(`${registry.url}/v1/tuf/metadata/timestamp.json`)).json()) as { signatures: { keyid: string }[] };
    const root = (await (await fetch(`${registry.url}/v1/tuf/metadata/2.root.json`)).json()) as { signed: { roles: { timestamp: { keyids: string[] } } } };
    expect(root.signed.roles.timestamp.keyids).toEqual(timestamp.signatures.map((signature) => signature.keyid));
    // Hosts and signers still trusting root v1 walk to v2 and go on.
    await ok(['tag', 'set', 'auth', 'stable', '1.1.0', '--key', 'keys/mover.key'], asPublisher());
  });
});
