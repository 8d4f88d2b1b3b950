import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startSilentServer, startStaticServer } from '@modmesh/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { readShellConfig, type ShellConfigError } from './config.js';
import { createShellServer } from './server.js';

const KEY = 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function shell(upstreams: { auth: string; user: string }, deadlineMs = 5000, appDir = '/nonexistent'): Promise<string> {
  const config = {
    ...readShellConfig({ MODMESH_TRUST_AUTH: KEY, MODMESH_TRUST_USER: KEY, MODMESH_REGISTRY: 'http://127.0.0.1:4999' }, appDir),
    upstreams,
    upstreamDeadlineMs: deadlineMs,
  };
  const server = createShellServer(config, () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the web shell server', () => {
  it('refuses to start without a trusted key for each remote', () => {
    expect(() => readShellConfig({ MODMESH_TRUST_AUTH: KEY }, '/')).toThrow(/MODMESH_TRUST_USER/);
  });

  it('with MODMESH_ROOT, puts the root and the read token in the page instead of keys, and refuses both root and keys', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'web-shell-root-'));
    const rootFile = path.join(dir, 'root.json');
    const rootText = '{"signatures":[],"signed":{"_type":"root","version":1}}';
    writeFileSync(rootFile, rootText);
    const env = { MODMESH_REGISTRY: 'http://127.0.0.1:4999', MODMESH_ROOT: rootFile, MODMESH_READ_TOKEN: 'mmr_reader</script>' };
    const server = createShellServer(readShellConfig(env, '/nonexistent'), () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const html = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
    const inline = /<script type="application\/json" id="modmesh-config">([^<]*)<\/script>/.exec(html)?.[1];
    // The root's exact text (the page verifies its signatures over it), and no `trust`.
    expect(JSON.parse(inline ?? 'null')).toEqual({
      registry: 'http://127.0.0.1:4999',
      remotes: { auth: 'auth@stable', user: 'user@stable' },
      root: rootText,
      token: 'mmr_reader</script>',
    });

    const refusal = (env: NodeJS.ProcessEnv) => {
      try {
        readShellConfig(env, '/');
      } catch (error) {
        return { code: (error as ShellConfigError).code, message: (error as Error).message };
      }
      throw new Error('readShellConfig accepted it');
    };
    expect(refusal({ ...env, MODMESH_TRUST_AUTH: KEY })).toEqual({
      code: 'MODMESH_CONFIG_INVALID',
      message: expect.stringMatching(/MODMESH_ROOT and MODMESH_TRUST_AUTH are both set/),
    });
    expect(refusal({ ...env, MODMESH_TRUST_USER_FILE: path.join(dir, 'user.pub') }).code).toBe('MODMESH_CONFIG_INVALID');
    expect(refusal({ MODMESH_ROOT: path.join(dir, 'missing.json') }).message).toMatch(/cannot be read \(ENOENT\)/);
    writeFileSync(path.join(dir, 'targets.json'), '{"signatures":[],"signed":{"_type":"targets"}}');
    expect(refusal({ MODMESH_ROOT: path.join(dir, 'targets.json') })).toEqual({
      code: 'MODMESH_ROOT_INVALID',
      message: expect.stringMatching(/is not a TUF root document/),
    });
  });

  it('serves the page with a CSP that allows scripts from itself and the registry only, and the page config', async () => {
    const url = await shell({ auth: 'http://127.0.0.1:1', user: 'http://127.0.0.1:1' });
    const page = await fetch(url);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' http://127.0.0.1:4999");
    const html = await page.text();
    expect(html).toContain('<script src="/app.js" defer></script>');
    const inline = /<script type="application\/json" id="modmesh-config">([^<]*)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(inline ?? 'null')).toMatchObject({ registry: 'http://127.0.0.1:4999', trust: { auth: [KEY] } });
    const config = await (await fetch(`${url}/config.json`)).json();
    expect(config).toEqual({ registry: 'http://127.0.0.1:4999', remotes: { auth: 'auth@stable', user: 'user@stable' }, trust: { auth: [KEY], user: [KEY] } });
    const traversal = await fetch(`${url}/..%2Fpackage.json`);
    expect(traversal.status).toBe(404);
  });

  it('serves the files of its build, chunks the page loads later too, and nothing else of the directory', async () => {
    const appDir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-shell-'));
    closers.push(async () => rmSync(appDir, { recursive: true, force: true }));
    for (const file of ['app.js', 'app.css', '481.js', 'notes.txt']) writeFileSync(path.join(appDir, file), `/* ${file} */`);
    const url = await shell({ auth: 'http://127.0.0.1:1', user: 'http://127.0.0.1:1' }, 5000, appDir);
    const chunk = await fetch(`${url}/481.js`);
    expect([chunk.status, chunk.headers.get('content-type'), await chunk.text()]).toEqual([200, 'text/javascript; charset=utf-8', '/* 481.js */']);
    expect((await fetch(`${url}/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${url}/notes.txt`)).status).toBe(404);
    expect((await fetch(`${url}/missing.js`)).status).toBe(404);
  });

  it('forwards /api/user/* to the user service, and answers a coded 502 or 504 when it is down or silent', async () => {
    const user = await startStaticServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, authorization: req.headers.authorization }));
    });
    closers.push(() => user.close());
    const url = await shell({ auth: 'http://127.0.0.1:1', user: user.url });
    const answer = await fetch(`${url}/api/user/profile?x=1`, { headers: { authorization: 'Bearer t' } });
    expect(await answer.json()).toEqual({ path: '/profile?x=1', authorization: 'Bearer t' });

    const down = await fetch(`${url}/api/auth/login`, { method: 'POST', body: '{}' });
    expect([down.status, ((await down.json()) as { error: { code: string } }).error.code]).toEqual([502, 'SHELL_UPSTREAM_UNAVAILABLE']);

    const silent = await startSilentServer();
    closers.push(() => silent.close());
    const slowShell = await shell({ auth: silent.url, user: silent.url }, 300);
    const timedOut = await fetch(`${slowShell}/api/user/profile`);
    expect([timedOut.status, ((await timedOut.json()) as { error: { code: string } }).error.code]).toEqual([504, 'SHELL_UPSTREAM_TIMEOUT']);
  });
});
