// `modmesh dev` and the contract gate against a registry with a root of trust (design 16): a remote
// the root does not delegate is developed as on any registry; one it delegates is refused by
// `modmesh dev` with MODMESH_DEV_ROOT_MODE, before anything is registered or published, and is
// published by its delegated publisher in root mode, through the contract gate.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient, type HealthAnswer } from '@modmesh/api';
import { type CliRegistry, pollUntil, repoRoot, runScript, type ScriptResult, startCliRegistry, startService, stopAllServices } from '@modmesh/test-utils';
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
      expect(refused.stderr).toContain('error MODMESH_DEV_ROOT_MODE: greeter: modmesh dev publishes with a dev key');
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
      expect(refused.stderr).toContain('its root of trust signs greeter.releases');
      expect(await versions()).toEqual(['0.0.0-dev.1', '1.0.0']);

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
      expect(await versions()).toEqual(['0.0.0-dev.1', '1.0.0']);
    },
    DEADLINE_MS * 3,
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
