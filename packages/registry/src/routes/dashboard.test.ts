import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin, bearer, createTestRegistry, expectAnswer, setUpPublisher, type TestRegistry } from '@modmesh/registry-test-utils';
import { requireCompiled } from '@modmesh/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

let registry: TestRegistry | undefined;
afterEach(() => registry?.cleanup());

async function open(options: { requireReadToken?: boolean } = {}): Promise<TestRegistry> {
  registry = await createTestRegistry(options);
  return registry;
}

// What the registry serves is the build (`npm run build`, which `npm test` runs first); the
// page's TypeScript sources are read from disk, so a new module is checked without editing this test.
const BUILT_DIR = path.dirname(requireCompiled('packages/registry/dist/dashboard/app.js'));
const SOURCE_DIR = fileURLToPath(new URL('../../dashboard/src/', import.meta.url));
const sources = () => readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts'));
// A source file without its comments (which may well name a route or an API).
const codeOf = (file: string) => readFileSync(path.join(SOURCE_DIR, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
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
      // Whatever a script loads besides itself (a module it imports, its source map): followed,
      // so a file missing from the build fails here.
      for (const match of response.body.matchAll(/^import [^;]*? from '\.\/([\w-]+\.js)';$/gm)) pending.push(`/dashboard/${match[1]}`);
      for (const match of response.body.matchAll(/^\/\/# sourceMappingURL=([\w.-]+)$/gm)) pending.push(`/dashboard/${match[1]}`);
    }
    expect(served.get('/dashboard/app.js')).toBe('text/javascript; charset=utf-8');
    expect(served.get('/dashboard/style.css')).toBe('text/css; charset=utf-8');
    expect(served.get('/dashboard/favicon.svg')).toBe('image/svg+xml');
    expect(served.get('/dashboard/app.js.map')).toBe('application/json; charset=utf-8');
    // One script: the bundle imports nothing at run time.
    expect([...served.keys()].filter((url) => url.endsWith('.js'))).toEqual(['/dashboard/app.js']);
  });

  it('calls the registry only through the one client (@modmesh/api), built from the page’s sources', async () => {
    for (const file of sources()) {
      expect(codeOf(file), file).not.toMatch(/\bfetch\(|new EventSource|XMLHttpRequest|['"`]\/v1\//);
    }
    const { app } = await open();
    const map = (await app.inject({ url: '/dashboard/app.js.map' })).json() as { sources: string[] };
    const bundled = map.sources.map((source) => source.replace(/^webpack:\/\/@modmesh\/registry\//, ''));
    expect(bundled).toEqual(expect.arrayContaining(['./dashboard/src/main.ts', '../api/dist/client.js', '../api/dist/events.js']));
  });

  it('has nothing the CSP would block and never renders registry values as HTML', async () => {
    const { app } = await open();
    const html = (await app.inject({ url: '/' })).body;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/i);
    const unsafe = /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/;
    // The bundle as served (the page's code and everything bundled with it), and the page's sources.
    for (const file of readdirSync(BUILT_DIR).filter((name) => name.endsWith('.js'))) {
      expect((await app.inject({ url: `/dashboard/${file}` })).body, file).not.toMatch(unsafe);
    }
    for (const file of sources()) expect(codeOf(file), file).not.toMatch(unsafe);
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
