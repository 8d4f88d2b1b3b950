// `modmesh dev` and the contract gate against a registry with a root of trust (design 16): a remote
// the root does not delegate is developed as on any registry; one it delegates is refused by
// `modmesh dev` with MODMESH_DEV_ROOT_MODE without the root, a delegated publisher key and a mover
// key (before anything is registered or published), and published signed with them, to a host
// that verifies from the root; its releases go through the contract gate in root mode.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient, type HealthAnswer } from '@modmesh/api';
import {
  type CliRegistry,
  pollUntil,
  repoRoot,
  requestJson,
  runScript,
  type ScriptResult,
  startCliRegistry,
  startService,
  stopAllServices,
} from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkspace } from './dev-workspace.js';

const DEADLINE_MS = 60_000;
const cli = path.join(repoRoot, 'packages/cli/bin/modmesh.js');

describe('modmesh dev and the contract gate on a registry with a root of trust', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-dev-root-'));
  const workspace = path.join(work, 'workspace');
  let registry: CliRegistry;

  async function ok(args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> {
    const result = await registry.modmesh(args, env);
    expect(result.code, `modmesh ${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result;
  }
  const client = () => createRegistryClient({ url: registry.url });
  const versions = async () => (await client().remote('greeter')).versions.map((entry) => entry.version);
  const keyIds = async () => (await client().keys('greeter')).keys.map((key) => key.keyId);

  beforeAll(async () => {
    registry = await startCliRegistry(work);
    writeWorkspace(workspace, 'first');
    for (const name of ['root', 'publisher', 'mover']) await ok(['keys', 'generate', '--out', 'keys', '--name', name]);
    const online = JSON.parse((await ok(['registry', 'online-key', 'print', '--data', path.join(work, 'registry'), '--json'])).stdout);
    const root = ['root', 'create', '--root-key', 'keys/root.pub', '--threshold', '1', '--online-key', online.keys[0].publicKey, '--dir', 'trust'];
    await ok(root);
    for (const file of ['trust/1.root.json', 'trust/1.targets.json']) await ok(['root', 'sign', file, '--key', 'keys/root.key']);
    await ok(['root', 'push', '--dir', 'trust'], { MODMESH_TOKEN: registry.admin });
    const health = (await (await fetch(`${registry.url}/health`)).json()) as HealthAnswer;
    expect(health.tuf?.mode).toBe('root');
  }, 120_000);

  afterAll(async () => {
    await stopAllServices();
    rmSync(work, { recursive: true, force: true });
  });

  it(
    'publishes a remote the root does not delegate as on a registry without one',
    async () => {
      const dev = await startService({
        script: cli,
        args: ['dev', '--target', 'node', '--registry', registry.url],
        cwd: workspace,
        env: { MODMESH_TOKEN: registry.admin },
        readyLine: /following 1 service/,
        startDeadlineMs: DEADLINE_MS,
      });
      await pollUntil(
        'modmesh dev publishing the first build',
        async () => (dev.output.some((line) => /greeter {2}✓ live 0\.0\.0-dev\.1 /.test(line)) ? true : undefined),
        {
          deadlineMs: DEADLINE_MS,
        },
      );
      await dev.stop();
      expect(await versions()).toEqual(['0.0.0-dev.1']);
      expect((await client().remote('greeter')).tags.map((tag) => [tag.tag, tag.version])).toEqual([['dev', '0.0.0-dev.1']]);
    },
    DEADLINE_MS * 2,
  );

  it(
    'refuses a remote the root delegates with MODMESH_DEV_ROOT_MODE, registering no dev key and making no token',
    async () => {
      await ok(['root', 'add-remote', 'greeter', '--publisher', 'keys/publisher.pub', '--mover', 'keys/mover.pub', '--dir', 'trust']);
      await ok(['root', 'sign', 'trust/2.targets.json', '--key', 'keys/root.key']);
      await ok(['root', 'push', '--dir', 'trust'], { MODMESH_TOKEN: registry.admin });
      const keysBefore = await keyIds();

      // A new dev key (another dev directory) would have to be registered: the root sets greeter's keys.
      const refused = await runDev(['--dev-dir', '.modmesh/dev-other']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`error MODMESH_DEV_ROOT_MODE: greeter: ${registry.url} takes dev builds of greeter only signed for its root of trust: `);
      expect(refused.stderr).toContain('publisher keys of greeter are set by the root of trust');
      expect(refused.stderr).toContain('modmesh registry start --data .modmesh/dev-registry');
      expect(await keyIds()).toEqual(keysBefore);
      expect(readdirSync(path.join(workspace, '.modmesh/dev-other')).filter((file) => file.endsWith('.token'))).toEqual([]);
      expect(await versions()).toEqual(['0.0.0-dev.1']);
    },
    DEADLINE_MS * 2,
  );

  it(
    'refuses it up front once the root signs its releases, and the delegated publisher publishes in root mode through the contract gate',
    async () => {
      const token = JSON.parse((await ok(['token', 'create', '--remote', 'greeter', '--json'], { MODMESH_TOKEN: registry.admin })).stdout).token as string;
      const asPublisher = { MODMESH_TOKEN: token, MODMESH_ROOT: 'trust/1.root.json' };
      const build = (out: string) => ok(['build', path.join(workspace, 'greeter'), '--bundler', 'rspack', '--target', 'node', '--out', out]);
      await build('release-1.0.0');
      await ok(['publish', 'release-1.0.0', '--name', 'greeter', '--version', '1.0.0', '--key', 'keys/publisher.key'], asPublisher);

      // The dev key is registered from the first session, but greeter.releases is signed now.
      const refused = await runDev([]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('error MODMESH_DEV_ROOT_MODE: greeter: ');
      expect(refused.stderr).toContain('its root of trust signs greeter.releases, and no root was given to verify it from (--root)');
      // The dev build from before the root is in no signed greeter.releases: the registry no
      // longer offers it, as hosts with the root would not run it.
      expect(await versions()).toEqual(['1.0.0']);

      // A host with the root pulls the release's types, verified with the publisher the root delegates (no key given).
      const pull = (env: Record<string, string | undefined>) =>
        registry.modmesh(['types', 'pull', 'greeter@^1', '--out', 'host-types', '--cache', 'host-cache'], { MODMESH_TRUST_GREETER: undefined, ...env });
      const unkeyed = await pull({});
      expect(unkeyed.code).toBe(1);
      expect(existsSync(path.join(work, 'host-types/greeter.d.ts'))).toBe(false);
      const pulled = await pull({ MODMESH_ROOT: 'trust/1.root.json' });
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(readFileSync(path.join(work, 'host-types/greeter.d.ts'), 'utf8')).toMatch(/greet\(name: string\): string/);

      // A changed parameter in a minor, published in root mode: the gate compares with 1.0.0 (verified against the delegated publisher's key).
      const greeting = path.join(workspace, 'greeter/src/greeting.ts');
      writeFileSync(greeting, readFileSync(greeting, 'utf8').replace('name: string', 'name: number'));
      await build('release-1.1.0');
      const broken = await registry.modmesh(
        ['publish', 'release-1.1.0', '--name', 'greeter', '--version', '1.1.0', '--key', 'keys/publisher.key'],
        asPublisher,
      );
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain('error MODMESH_CONTRACT_BREAK: greeter@1.1.0 breaks the contract of greeter@1.0.0');
      expect(broken.stderr).toMatch(/greet\n\s+was {2}\(name: string\) => string\n\s+now {2}\(name: number\) => string/);
      expect(broken.stderr).not.toContain('no longer lists');
      // modmesh check says the same, verifying 1.0.0 with the publisher the root delegates when given the root.
      const check = (env: Record<string, string | undefined>) =>
        registry.modmesh(['check', 'release-1.1.0', '--name', 'greeter', '--version', '1.1.0'], { MODMESH_ROOT: undefined, ...env });
      const checked = await check({ MODMESH_ROOT: 'trust/1.root.json' });
      expect([checked.code, checked.stderr]).toEqual([
        1,
        expect.stringContaining('error MODMESH_CONTRACT_BREAK: greeter@1.1.0 breaks the contract of greeter@1.0.0'),
      ]);
      expect(checked.stderr).not.toContain('no longer lists');
      expect((await check({})).stderr).toContain('greeter@1.0.0 is signed by a key greeter no longer lists');
      expect(await versions()).toEqual(['1.0.0']);
    },
    DEADLINE_MS * 3,
  );

  it(
    'refuses it without the root, a delegated publisher key, a mover key, or a signed state of its tags to move from',
    async () => {
      // The root and a mover key, but the dev key of .modmesh/dev is no publisher the root delegates.
      const stranger = await runDev(['--root', '../trust/1.root.json', '--mover-key', '../keys/mover.key']);
      expect(stranger.code).toBe(1);
      expect(stranger.stderr).toContain('the dev key greeter.key is not one of the publishers targets v2 delegates for greeter');
      // The publisher key without a mover key.
      const devRoot = path.join(workspace, '.modmesh/dev-root');
      mkdirSync(path.join(devRoot, 'trust'), { recursive: true });
      for (const [from, to] of <[string, string][]>[
        ['keys/publisher.key', 'greeter.key'],
        ['keys/publisher.pub', 'greeter.pub'],
        ['trust/1.root.json', 'trust/1.root.json'],
      ])
        copyFileSync(path.join(work, from), path.join(devRoot, to));
      const moverless = await runDev(['--dev-dir', '.modmesh/dev-root']);
      expect(moverless.stderr).toContain('moving dev takes a mover');
      expect(await versions()).toEqual(['1.0.0']);

      // With all three, the dev tag moved before the root is no signed state to move from: adopt it first.
      copyFileSync(path.join(work, 'keys/mover.key'), path.join(devRoot, 'mover.key'));
      const unadopted = await runDev(['--dev-dir', '.modmesh/dev-root']);
      expect(unadopted.stderr).toContain('its tags (dev 0.0.0-dev.1) were moved before the root and are in no signed greeter.tags yet: adopt them first');
      expect(await versions()).toEqual(['1.0.0']);
    },
    DEADLINE_MS * 2,
  );

  // `modmesh dev` in the workspace with the admin token, expected to stop by itself (refused).
  function runDev(more: string[]): Promise<ScriptResult> {
    return runScript({
      script: cli,
      args: ['dev', '--target', 'node', ...more, '--registry', registry.url],
      cwd: workspace,
      env: { MODMESH_TOKEN: registry.admin, MODMESH_REGISTRY: undefined },
    });
  }
});

describe('modmesh dev on a registry whose root delegates the remote, set up as npm start sets it up', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-dev-root-signed-'));
  const workspace = path.join(work, 'workspace');
  const devDir = path.join(workspace, '.modmesh/dev');
  let registry: CliRegistry;

  beforeAll(async () => {
    registry = await startCliRegistry(work);
    writeWorkspace(workspace, 'first');
    // In .modmesh/dev as npm start makes it: greeter.key the publisher the root delegates, mover.key, trust/1.root.json.
    const ok = async (args: string[], env: Record<string, string | undefined> = {}) => {
      const result = await registry.modmesh(args, env);
      expect(result.code, `modmesh ${args.join(' ')}\n${result.stderr}`).toBe(0);
      return result;
    };
    for (const name of ['root', 'greeter', 'mover']) await ok(['keys', 'generate', '--out', devDir, '--name', name]);
    const online = JSON.parse((await ok(['registry', 'online-key', 'print', '--data', path.join(work, 'registry'), '--json'])).stdout);
    const trust = path.join(devDir, 'trust');
    await ok(['root', 'create', '--root-key', `${devDir}/root.pub`, '--threshold', '1', '--online-key', online.keys[0].publicKey, '--dir', trust]);
    await ok(['root', 'add-remote', 'greeter', '--publisher', `${devDir}/greeter.pub`, '--mover', `${devDir}/mover.pub`, '--dir', trust]);
    for (const file of ['1.root.json', '2.targets.json']) await ok(['root', 'sign', path.join(trust, file), '--key', `${devDir}/root.key`]);
    await ok(['root', 'push', '--dir', trust], { MODMESH_TOKEN: registry.admin });
  }, 120_000);

  afterAll(async () => {
    await stopAllServices();
    rmSync(work, { recursive: true, force: true });
  });

  it(
    'publishes each build signed (releases by the publisher, the dev tag by the mover), and a host verifying from the root swaps to it',
    async () => {
      const dev = await startService({
        script: cli,
        args: ['dev', '--target', 'node', '--registry', registry.url],
        cwd: workspace,
        env: { MODMESH_TOKEN: registry.admin },
        readyLine: /following 1 service/,
        startDeadlineMs: DEADLINE_MS,
      });
      const live = (version: string) =>
        pollUntil(
          `modmesh dev publishing ${version}`,
          async () => (dev.output.some((line) => line.includes(`greeter  ✓ live ${version} `)) ? true : undefined),
          {
            deadlineMs: DEADLINE_MS,
          },
        );
      await live('0.0.0-dev.1');
      const host = await startService({
        script: path.join(workspace, 'host.mjs'),
        cwd: workspace,
        env: { MODMESH_REGISTRY: registry.url, MODMESH_ROOT: path.join(devDir, 'trust/1.root.json') },
      });
      const onHost = async () => (await requestJson<{ text: string; version: string }>(`${host.url}/`)).body;
      expect(await onHost()).toEqual({ text: 'first ada', version: '0.0.0-dev.1' });

      writeFileSync(path.join(workspace, 'greeter/src/text.ts'), "export const TEXT = 'signed';\n");
      await pollUntil('the host serving the edit', async () => ((await onHost()).text === 'signed ada' ? true : undefined), { deadlineMs: DEADLINE_MS });
      expect(await onHost()).toEqual({ text: 'signed ada', version: '0.0.0-dev.2' });
      await live('0.0.0-dev.2');
      const health = (await (await fetch(`${registry.url}/health`)).json()) as HealthAnswer;
      expect(health.tuf?.documents).toMatchObject({ 'greeter.releases': { version: 2 }, 'greeter.tags': { version: 2 } });
      // No key was registered by the admin: the root names greeter's publishers.
      expect((await createRegistryClient({ url: registry.url }).keys('greeter')).keys).toEqual([]);
    },
    DEADLINE_MS * 4,
  );
});
