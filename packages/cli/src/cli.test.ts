// The modmesh command as a user runs it: a real registry process started by `modmesh registry
// start`, and every other command as its own process against it, publishing the real auth
// container built for this test run.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot, requireCompiled, runScript, type ScriptResult, type ServiceProcess, startService, stopAllServices } from '@modmesh/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

requireCompiled('packages/cli/dist/index.js');
const cli = path.join(repoRoot, 'packages/cli/bin/modmesh.js');
const { remoteDir } = inject('authBuild');
const COMMANDS = ['init', 'build', 'registry start', 'keys generate', 'trust add', 'token create', 'publish', 'tag set', 'rollback', 'ls', 'info'];

let registry: ServiceProcess;
let work: string;
let dataDir: string;
let adminToken: string;
let publishToken: string;

/** `modmesh ...` in its own process, against the test's registry, with no token unless given. */
function modmesh(args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> {
  return runScript({
    script: cli,
    args,
    cwd: work,
    env: { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: undefined, MODMESH_KEY: undefined, MODMESH_HTTP_TIMEOUT_MS: undefined, ...env },
  });
}

function asAdmin(args: string[]): Promise<ScriptResult> {
  return modmesh(args, { MODMESH_TOKEN: adminToken });
}

function publish(version: string, ...more: string[]): Promise<ScriptResult> {
  return modmesh(['publish', remoteDir, '--name', 'auth', '--version', version, '--key', 'keys/publisher.key', ...more], { MODMESH_TOKEN: publishToken });
}

async function info(
  spec: string,
): Promise<{ version: string; tag: { name: string } | null; files: { count: number }; keyId: string; history?: { kind: string }[] }> {
  const result = await modmesh(['info', spec, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** Exit code 1 and the coded error on stderr, as a user sees a refusal. */
function expectRefused(result: ScriptResult, code: string): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringContaining(`error ${code}: `) });
  expect(result.stderr).toContain('  hint: ');
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-cli-'));
  dataDir = path.join(work, 'registry-data');
  registry = await startService({ script: cli, args: ['registry', 'start', '--port', '0', '--data', dataDir], env: { MODMESH_ADMIN_TOKEN: undefined } });
});

afterAll(async () => {
  await stopAllServices();
  rmSync(work, { recursive: true, force: true });
});

describe('modmesh, end to end against a real registry', () => {
  it('registry start generates an admin token readable by its owner only, and says where', async () => {
    const file = path.join(dataDir, 'admin-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    adminToken = readFileSync(file, 'utf8').trim();
    expect(adminToken.length).toBeGreaterThanOrEqual(16);
    await registry.waitForLog((line) => line.adminTokenFile === file && String(line.msg).includes('generated'));
  });

  it('keys generate writes a private key only its owner can read and the public key, and never overwrites them', async () => {
    const result = await modmesh(['keys', 'generate', '--out', 'keys']);
    expect(result.code, result.stderr).toBe(0);
    const privateKey = path.join(work, 'keys/publisher.key');
    expect(statSync(privateKey).mode & 0o777).toBe(0o600);
    expect(readFileSync(privateKey, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readFileSync(path.join(work, 'keys/publisher.pub'), 'utf8')).toMatch(/^ed25519:[\w-]{43}\n$/);
    expect(result.stdout).toContain(privateKey);

    const before = readFileSync(privateKey, 'utf8');
    expectRefused(await modmesh(['keys', 'generate', '--out', 'keys']), 'MODMESH_USAGE');
    expect(readFileSync(privateKey, 'utf8')).toBe(before);
  });

  it('trust add registers the publisher key for auth and prints its key id', async () => {
    const result = await asAdmin(['trust', 'add', 'auth', 'keys/publisher.pub', '--label', 'auth CI']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/trusted key [\w-]{16} for auth/);
  });

  it('token create prints a publish token once, with how to use it', async () => {
    const result = await asAdmin(['token', 'create', '--remote', 'auth']);
    expect(result.code, result.stderr).toBe(0);
    publishToken = /\b(mmp_\S+)/.exec(result.stdout)?.[1] ?? '';
    expect(publishToken).not.toBe('');
    expect(result.stdout).toContain(`MODMESH_TOKEN=${publishToken}`);
  });

  it('publish sends every file of the build as auth@1.0.0, tagged stable, which then resolves as auth@stable', async () => {
    const files = readdirSync(remoteDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
    const result = await publish('1.0.0', '--tag', 'stable');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^published auth@1\\.0\\.0: ${files} files \\(\\d+ uploaded, .+\\), tagged stable, in \\d+ ms\\n$`));

    const stable = await info('auth@stable');
    expect(stable).toMatchObject({ version: '1.0.0', tag: { name: 'stable' }, files: { count: files } });
    const text = await modmesh(['info', 'auth@stable']);
    expect(text.stdout).toMatch(/^auth@1\.0\.0 {2}\(tag stable, seq 1\)/);
    expect(text.stdout).toContain('./tokenValidator');
  });

  it('refuses to publish auth@1.0.0 again: MODMESH_VERSION_EXISTS', async () => {
    expectRefused(await publish('1.0.0'), 'MODMESH_VERSION_EXISTS');
  });

  it('tag set moves stable from what it points at now: 1.0.0 -> 1.1.0', async () => {
    const published = await publish('1.1.0');
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).not.toContain('tagged');
    expect((await info('auth@stable')).version).toBe('1.0.0');

    const moved = await modmesh(['tag', 'set', 'auth', 'stable', '1.1.0'], { MODMESH_TOKEN: publishToken });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toBe('stable: 1.0.0 -> 1.1.0\n');
    expect((await info('auth@stable')).version).toBe('1.1.0');
  });

  it('tag set with a stale --expect is refused with MODMESH_TAG_CONFLICT and moves nothing', async () => {
    expectRefused(await modmesh(['tag', 'set', 'auth', 'stable', '1.0.0', '--expect', '1.0.0'], { MODMESH_TOKEN: publishToken }), 'MODMESH_TAG_CONFLICT');
    expect((await info('auth@stable')).version).toBe('1.1.0');
  });

  it('rollback takes stable back to 1.0.0, logged as a rollback', async () => {
    const result = await modmesh(['rollback', 'auth', 'stable', '--reason', 'bad release'], { MODMESH_TOKEN: publishToken });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('stable: 1.1.0 -> 1.0.0 (rollback)\n');
    const stable = await info('auth@stable');
    expect(stable.version).toBe('1.0.0');
    expect(stable.history?.[0]?.kind).toBe('rollback');
  });

  it('ls lists the remotes, and ls auth its versions and tags', async () => {
    const remotes = await modmesh(['ls']);
    expect(remotes.code, remotes.stderr).toBe(0);
    expect(remotes.stdout).toMatch(/^auth +2 +1\.1\.0 +stable=1\.0\.0$/m);

    const auth = await modmesh(['ls', 'auth']);
    expect(auth.code, auth.stderr).toBe(0);
    expect(auth.stdout).toMatch(/^1\.0\.0 +\S+ +stable$/m);
    expect(auth.stdout).toMatch(/^1\.1\.0 +\S+$/m);
    expect(auth.stdout).toMatch(/^stable +1\.0\.0 +3 /m);
  });

  it('info auth@^1 resolves the highest 1.x release: 1.1.0', async () => {
    expect(await info('auth@^1')).toMatchObject({ version: '1.1.0', tag: null });
  });
});

describe('modmesh refusals', () => {
  it('a key that is not trusted for the remote (only for another one): MODMESH_KEY_NOT_TRUSTED', async () => {
    expect((await modmesh(['keys', 'generate', '--out', 'keys', '--name', 'stranger'])).code).toBe(0);
    expect((await asAdmin(['trust', 'add', 'billing', 'keys/stranger.pub'])).code).toBe(0);
    const result = await modmesh(['publish', remoteDir, '--name', 'auth', '--version', '2.0.0'], {
      MODMESH_TOKEN: publishToken,
      MODMESH_KEY: 'keys/stranger.key',
    });
    expectRefused(result, 'MODMESH_KEY_NOT_TRUSTED');
  });

  it('a publish token scoped to another remote: MODMESH_FORBIDDEN', async () => {
    const created = await asAdmin(['token', 'create', '--remote', 'billing', '--json']);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expectRefused(
      await modmesh(['publish', remoteDir, '--name', 'auth', '--version', '2.0.0', '--key', 'keys/publisher.key', '--token', token]),
      'MODMESH_FORBIDDEN',
    );
  });

  it('no token: MODMESH_AUTH_REQUIRED', async () => {
    expectRefused(await modmesh(['publish', remoteDir, '--name', 'auth', '--version', '2.0.0', '--key', 'keys/publisher.key']), 'MODMESH_AUTH_REQUIRED');
    expectRefused(await modmesh(['tag', 'set', 'auth', 'stable', '1.1.0']), 'MODMESH_AUTH_REQUIRED');
  });

  it('info about a remote that does not exist says so: MODMESH_NOT_FOUND, no remote named nosuch', async () => {
    for (const reference of ['nosuch', 'nosuch@stable', 'nosuch@^1']) {
      const result = await modmesh(['info', reference]);
      expectRefused(result, 'MODMESH_NOT_FOUND');
      expect(result.stderr).toContain('there is no remote named nosuch at this registry');
      expect(result.stderr).toContain('`modmesh ls` lists the remotes');
    }
  });

  it('nothing refused was published', async () => {
    const result = await modmesh(['ls', 'auth', '--json']);
    expect((JSON.parse(result.stdout) as { versions: { version: string }[] }).versions.map((entry) => entry.version)).toEqual(['1.0.0', '1.1.0']);
  });

  it('a registry that cannot be reached: MODMESH_REMOTE_UNREACHABLE, naming its URL', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await modmesh(['ls'], { MODMESH_REGISTRY: closed });
    expectRefused(result, 'MODMESH_REMOTE_UNREACHABLE');
    expect(result.stderr).toContain(closed);
  });

  it('an unknown option or a missing argument: MODMESH_USAGE, pointing at --help', async () => {
    for (const args of [['ls', '--bogus'], ['tag', 'set', 'auth', 'stable'], ['publish', remoteDir, '--name', 'auth'], ['frobnicate']]) {
      const result = await modmesh(args);
      expectRefused(result, 'MODMESH_USAGE');
      expect(result.stderr).toContain('--help');
    }
  });
});

describe('modmesh --help', () => {
  it('lists every command', async () => {
    const result = await modmesh(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command}`);
  });

  it.each(COMMANDS)('%s --help prints its usage, options and an example', async (command) => {
    const result = await modmesh([...command.split(' '), '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: modmesh ${command}\\b`));
    expect(result.stdout).toContain('Options:\n');
    expect(result.stdout).toMatch(/\nExamples?:\n {2}\S/);
  });
});

describe('modmesh registry start', () => {
  it('stops cleanly on SIGTERM: exit code 0', async () => {
    expect(await registry.stop()).toBe(0);
    expect(registry.logs.at(-1)?.msg).toBe('stopped');
  });
});
