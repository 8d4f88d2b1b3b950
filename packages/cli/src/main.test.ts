// main() in-process: the error boundary, deadlines, and answers that are not from a registry.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DATA_DIR } from '@modmesh/registry';
import { startSilentServer, startStaticServer, type TestServer } from '@modmesh/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_DATA_DIR } from './connect.js';
import { main } from './main.js';

const servers: TestServer[] = [];
let cwd = '';

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  cwd ||= mkdtempSync(path.join(os.tmpdir(), 'modmesh-main-'));
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    cwd,
  });
  return { code, stdout, stderr };
}

async function serve(status: number, type: string, body: string): Promise<TestServer> {
  const server = await startStaticServer((_req, res) => res.writeHead(status, { 'content-type': type }).end(body));
  servers.push(server);
  return server;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  cwd = '';
});

describe('talking to a registry', () => {
  it('a registry that takes the connection and never answers: MODMESH_REMOTE_TIMEOUT after MODMESH_HTTP_TIMEOUT_MS', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const result = await run(['ls'], { MODMESH_REGISTRY: silent.url, MODMESH_HTTP_TIMEOUT_MS: '200' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error MODMESH_REMOTE_TIMEOUT: GET http:\/\/127\.0\.0\.1:\d+\/v1\/remotes: no complete answer within 200 ms\n {2}hint: /);
  });

  it('a server that is not a registry: a coded error naming what answered, not a crash', async () => {
    const proxy = await serve(502, 'text/html', '<html><body>Bad Gateway</body></html>');
    const badStatus = await run(['ls'], { MODMESH_REGISTRY: proxy.url });
    expect([badStatus.code, badStatus.stderr]).toEqual([1, expect.stringContaining('error MODMESH_REMOTE_BAD_STATUS: GET ')]);
    expect(badStatus.stderr).toContain('HTTP 502: <html><body>Bad Gateway</body></html>');

    const page = await serve(200, 'text/html', '<html>welcome</html>');
    const notJson = await run(['ls'], { MODMESH_REGISTRY: page.url });
    expect([notJson.code, notJson.stderr]).toEqual([1, expect.stringContaining('error MODMESH_REMOTE_BAD_CONTENT_TYPE: ')]);
  });

  it("the registry's coded error is the user's, with its message and hint", async () => {
    const body = { error: { code: 'MODMESH_NO_PREVIOUS_TARGET', message: 'auth@stable has no earlier target to roll back to', hint: 'Move it with tag set.' } };
    const registry = await serve(409, 'application/json', JSON.stringify(body));
    const result = await run(['rollback', 'auth', 'stable'], { MODMESH_REGISTRY: registry.url, MODMESH_TOKEN: 'mmp_test' });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error MODMESH_NO_PREVIOUS_TARGET: auth@stable has no earlier target to roll back to\n  hint: Move it with tag set.\n',
    });
  });
});

describe('what a user gets wrong', () => {
  it('a registry URL with a path (.../health): MODMESH_USAGE naming the address to use, before anything is sent', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch');
    const result = await run(['ls'], { MODMESH_REGISTRY: 'http://127.0.0.1:4000/health' });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(
        /^error MODMESH_USAGE: the registry URL "http:\/\/127\.0\.0\.1:4000\/health" .* has a path \(\/health\).*\n {2}hint: Use http:\/\/127\.0\.0\.1:4000, /,
      ),
    });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('publishing a directory without remoteEntry.js: MODMESH_RELEASE_INCOMPLETE, with a hint for someone running modmesh publish', async () => {
    expect((await run(['keys', 'generate', '--out', 'keys'])).code).toBe(0);
    mkdirSync(path.join(cwd, 'dist'));
    writeFileSync(path.join(cwd, 'dist/mf-manifest.json'), JSON.stringify({ metaData: { name: 'auth', remoteEntry: { name: 'remoteEntry.js', path: '' } } }));
    const result = await run(['publish', 'dist', '--name', 'auth', '--version', '1.0.0', '--key', 'keys/publisher.key']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error MODMESH_RELEASE_INCOMPLETE: ${path.join(cwd, 'dist')}: mf-manifest.json names remoteEntry.js (entry), which is not in the directory`,
    );
    expect(result.stderr).not.toContain('by hand');
  });

  it('registry start on a port in use: MODMESH_USAGE, and no admin token, database or blob directory left behind', async () => {
    const taken = await startSilentServer();
    servers.push(taken);
    cwd = mkdtempSync(path.join(os.tmpdir(), 'modmesh-main-'));
    const existing = path.join(cwd, 'existing');
    mkdirSync(existing);
    writeFileSync(path.join(existing, 'notes.txt'), 'mine');
    for (const data of ['fresh/registry', 'existing']) {
      const result = await run(['registry', 'start', '--port', String(taken.port), '--data', data]);
      expect([result.code, result.stderr]).toEqual([
        1,
        expect.stringContaining(`error MODMESH_USAGE: cannot listen on 127.0.0.1:${taken.port}: it is already in use`),
      ]);
    }
    expect(existsSync(path.join(cwd, 'fresh'))).toBe(false);
    expect(readdirSync(existing)).toEqual(['notes.txt']);
  });
});

describe('the local admin token', () => {
  it('is the data dir `modmesh registry start` uses by default', () => {
    expect(LOCAL_DATA_DIR).toBe(DEFAULT_DATA_DIR);
  });

  it('is used, and said so, when no token is given and the registry is the default local one', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => Response.json({ remotes: [] }));
    cwd = mkdtempSync(path.join(os.tmpdir(), 'modmesh-main-'));
    mkdirSync(path.join(cwd, LOCAL_DATA_DIR), { recursive: true });
    writeFileSync(path.join(cwd, LOCAL_DATA_DIR, 'admin-token'), 'mma_local-admin-token\n');
    const authorization = () => new Headers(fetch.mock.calls.at(-1)?.[1]?.headers).get('authorization');

    const local = await run(['ls']);
    expect(local.code, local.stderr).toBe(0);
    expect(authorization()).toBe('Bearer mma_local-admin-token');
    expect(local.stderr).toContain('using the admin token of the local registry (.modmesh/registry/admin-token)');

    const others: Record<string, string>[] = [{ MODMESH_REGISTRY: 'http://registry.example:4000' }, { MODMESH_TOKEN: 'mmp_mine' }];
    for (const env of others) {
      const other = await run(['ls'], env);
      expect(other.stderr).toBe('');
      expect(authorization()).toBe(env.MODMESH_TOKEN ? 'Bearer mmp_mine' : null);
    }
  });
});

describe('the error boundary', () => {
  it('anything that is not a coded error is a bug: exit 2 with the stack', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new RangeError('something modmesh did not expect'));
    const result = await run(['ls']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('this is a bug');
    expect(result.stderr).toMatch(/RangeError: something modmesh did not expect\n {4}at /);
  });

  it('no command prints the overview; an unknown one is MODMESH_USAGE', async () => {
    const overview = await run([]);
    expect([overview.code, overview.stdout]).toEqual([0, expect.stringContaining('Usage: modmesh <command>')]);
    const unknown = await run(['pubilsh']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'error MODMESH_USAGE: unknown command "pubilsh"\n  hint: Run `modmesh --help` for the list.\n']);
  });
});
