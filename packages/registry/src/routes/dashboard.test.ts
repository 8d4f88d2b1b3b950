import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { admin, bearer, createTestRegistry, expectAnswer, setUpPublisher, type TestRegistry } from '@modmesh/registry-test-utils';
import { afterEach, describe, expect, it } from 'vitest';

let registry: TestRegistry | undefined;
afterEach(() => registry?.cleanup());

async function open(options: { requireReadToken?: boolean } = {}): Promise<TestRegistry> {
  registry = await createTestRegistry(options);
  return registry;
}

// The page's own files, read from disk: a new module is checked without editing this test.
const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

describe('the dashboard page', () => {
  it('is served at / with a strict CSP and security headers, with no token even when reads need one', async () => {
    const { app } = await open({ requireReadToken: true });
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers).toMatchObject({
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    expect(page.body).toContain('<script type="module" src="/dashboard/app.js"></script>');
    // The page holds no data: the API behind it still needs the token.
    expect((await app.inject({ url: '/v1/remotes' })).json().error.code).toBe('MODMESH_AUTH_REQUIRED');
  });

  it('serves every file the page and its modules load, each with its content type', async () => {
    const { app } = await open({ requireReadToken: true });
    const html = (await app.inject({ url: '/' })).body;
    const pending = [...html.matchAll(/(?:src|href)="(\/dashboard\/[^"]+)"/g)].map((match) => match[1] as string);
    const served = new Map<string, string>();
    for (let url = pending.shift(); url; url = pending.shift()) {
      if (served.has(url)) continue;
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-security-policy'], url).toBe(CSP);
      served.set(url, String(response.headers['content-type']));
      // Modules import each other relatively: follow them, so a missing module fails here.
      for (const match of response.body.matchAll(/^import [^;]*? from '\.\/([\w-]+\.js)';$/gm)) pending.push(`/dashboard/${match[1]}`);
    }
    expect(served.get('/dashboard/app.js')).toBe('text/javascript; charset=utf-8');
    expect(served.get('/dashboard/style.css')).toBe('text/css; charset=utf-8');
    expect(served.get('/dashboard/favicon.svg')).toBe('image/svg+xml');
    expect([...served.keys()]).toEqual(expect.arrayContaining(['/dashboard/api.js', '/dashboard/live.js', '/dashboard/remote.js']));
  });

  it('has nothing the CSP would block and never renders registry values as HTML', async () => {
    const { app } = await open();
    const html = (await app.inject({ url: '/' })).body;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/i);
    for (const file of readdirSync(DASHBOARD_DIR).filter((name) => name.endsWith('.js'))) {
      const source = (await app.inject({ url: `/dashboard/${file}` })).body;
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
  });

  it('answers a repeated load with 304 when nothing changed', async () => {
    const { app } = await open();
    const first = await app.inject({ url: '/dashboard/style.css' });
    const etag = String(first.headers.etag);
    const again = await app.inject({ url: '/dashboard/style.css', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('refuses unknown, traversing and absolute names with a coded 404, whatever the read-token setting', async () => {
    for (const requireReadToken of [false, true]) {
      const { app } = await open({ requireReadToken });
      for (const url of [
        '/dashboard/nope.js',
        '/dashboard/..%2Fpackage.json',
        '/dashboard/..%2F..%2Fpackage.json',
        '/dashboard/%2e%2e%2fpackage.json',
        '/dashboard/..%5Cpackage.json',
        '/dashboard/%2Fetc%2Fpasswd',
        '/dashboard/',
      ]) {
        const response = await app.inject({ url });
        expect([url, response.statusCode, response.json().error.code]).toEqual([url, 404, 'MODMESH_NOT_FOUND']);
        expect(response.body).not.toContain('"@modmesh/registry"');
      }
      // Paths with more segments match no route: refused like any unknown path.
      for (const url of ['/dashboard/%2e%2e/package.json', '/dashboard/../package.json', '/dashboard//etc/passwd']) {
        const response = await app.inject({ url, headers: admin() });
        expect([url, response.statusCode, response.json().error.code]).toEqual([url, 404, 'MODMESH_NOT_FOUND']);
      }
      await registry?.cleanup();
      registry = undefined;
    }
  });
});

describe('GET /v1/whoami', () => {
  it('names the role of the caller’s token, and the remote of a publish token', async () => {
    const reg = await open();
    const { token: publishToken } = await setUpPublisher(reg, 'auth');
    const read = (await reg.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: { role: 'read' } })).json().token;

    // Each answer checked against the contract's WhoamiAnswer, exactly.
    const whoami = async (headers: Record<string, string> = {}) => expectAnswer('GET /v1/whoami', await reg.app.inject({ url: '/v1/whoami', headers }));
    expect(await whoami()).toEqual({ role: 'anonymous' });
    expect(await whoami(admin())).toEqual({ role: 'admin' });
    expect(await whoami(bearer(publishToken))).toEqual({ role: 'publish', remote: 'auth' });
    expect(await whoami(bearer(read))).toEqual({ role: 'read' });

    const unknown = await reg.app.inject({ url: '/v1/whoami', headers: bearer('mmp_not-a-token-of-this-registry') });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'MODMESH_AUTH_REQUIRED']);
  });

  it('is a read like any other when reads need a token', async () => {
    const { app } = await open({ requireReadToken: true });
    const anonymous = await app.inject({ url: '/v1/whoami' });
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'MODMESH_AUTH_REQUIRED']);
    expect((await app.inject({ url: '/v1/whoami', headers: admin() })).json()).toEqual({ role: 'admin' });
  });
});
