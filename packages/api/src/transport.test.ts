import { startSilentServer, startStaticServer, type TestServer } from '@modmesh/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport } from './fetch-transport.js';
import { createNodeTransport } from './node-transport.js';
import { DEFAULT_DEADLINES, type Deadlines, type ExpectedKind, receive, type Transport } from './transport.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Parameters<typeof startStaticServer>[0]): Promise<TestServer> {
  const server = await startStaticServer(handler);
  servers.push(server);
  return server;
}

const js = { 'content-type': 'application/javascript; charset=utf-8' };

// Both transports must answer every case the same way: the rules are one (receive), the ways
// of reaching a server two.
for (const [kind, transport] of [
  ['node:http', createNodeTransport()],
  ['fetch', createFetchTransport()],
] as const) {
  describe(`a file through the ${kind} transport`, () => {
    const fetchFile = (url: string, options: FileOptions) => getFile(transport, url, options);

    it('returns the bytes of a 200 with the expected content type', async () => {
      const server = await serve((_req, res) => res.writeHead(200, js).end('module.exports = 1;'));
      const bytes = await fetchFile(`${server.url}/remoteEntry.js`, { expect: 'javascript', maxBytes: 1024 });
      expect(bytes.toString()).toBe('module.exports = 1;');
    });

    it('refuses a 404 page with MODMESH_REMOTE_BAD_STATUS', async () => {
      const server = await serve((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not found</html>'));
      await expect(fetchFile(`${server.url}/remoteEntry.js`, { expect: 'javascript', maxBytes: 1024, remote: 'auth' })).rejects.toMatchObject({
        code: 'MODMESH_REMOTE_BAD_STATUS',
        remote: 'auth',
        file: `${server.url}/remoteEntry.js`,
      });
    });

    it('refuses an HTML page served with 200 as JavaScript with MODMESH_REMOTE_BAD_CONTENT_TYPE', async () => {
      const server = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><p>Welcome</p>'));
      await expect(fetchFile(`${server.url}/remoteEntry.js`, { expect: 'javascript', maxBytes: 1024 })).rejects.toMatchObject({
        code: 'MODMESH_REMOTE_BAD_CONTENT_TYPE',
      });
      await expect(fetchFile(`${server.url}/mf-manifest.json`, { expect: 'json', maxBytes: 1024 })).rejects.toMatchObject({
        code: 'MODMESH_REMOTE_BAD_CONTENT_TYPE',
      });
    });

    it('gives up on a server that accepts the connection and never answers, at the first-byte deadline', async () => {
      const server = await startSilentServer();
      servers.push(server);
      await expect(
        fetchFile(`${server.url}/remoteEntry.js`, { expect: 'javascript', maxBytes: 1024, deadlines: { connectMs: 100, firstByteMs: 200, totalMs: 60_000 } }),
      ).rejects.toMatchObject({ code: 'MODMESH_REMOTE_TIMEOUT', message: expect.stringMatching(/no response within (200|300) ms/) });
    });

    it('gives up on a body that trickles past the total deadline', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, js);
        res.write('/* first bytes */');
      });
      await expect(fetchFile(`${server.url}/slow.js`, { expect: 'javascript', maxBytes: 1024, deadlines: { totalMs: 300 } })).rejects.toMatchObject({
        code: 'MODMESH_REMOTE_TIMEOUT',
        message: expect.stringContaining('no complete answer within 300 ms'),
      });
    });

    it('reports a refused connection as MODMESH_REMOTE_UNREACHABLE', async () => {
      const server = await serve(() => {});
      await server.close();
      servers.length = 0;
      await expect(fetchFile(`${server.url}/remoteEntry.js`, { expect: 'javascript', maxBytes: 1024 })).rejects.toMatchObject({
        code: 'MODMESH_REMOTE_UNREACHABLE',
        message: expect.stringContaining('ECONNREFUSED'),
      });
    });

    it('stops reading a body over the size limit, declared or not', async () => {
      const declared = await serve((_req, res) => res.writeHead(200, { ...js, 'content-length': '5000' }).end('x'.repeat(5000)));
      await expect(fetchFile(`${declared.url}/big.js`, { expect: 'javascript', maxBytes: 1000 })).rejects.toMatchObject({ code: 'MODMESH_REMOTE_TOO_LARGE' });
      const chunked = await serve((_req, res) => {
        res.writeHead(200, js);
        for (let i = 0; i < 10; i++) res.write('x'.repeat(500));
        res.end();
      });
      await expect(fetchFile(`${chunked.url}/big.js`, { expect: 'javascript', maxBytes: 1000 })).rejects.toMatchObject({ code: 'MODMESH_REMOTE_TOO_LARGE' });
    });

    it('refuses a body cut short of its declared length', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { ...js, 'content-length': '100' });
        res.write('x'.repeat(10), () => res.socket?.destroy());
      });
      await expect(fetchFile(`${server.url}/cut.js`, { expect: 'javascript', maxBytes: 1000 })).rejects.toMatchObject({
        code: 'MODMESH_REMOTE_INCOMPLETE',
      });
    });

    it('refuses a body of undeclared length that ends short of the size it must have, as incomplete', async () => {
      const server = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('x'.repeat(10)));
      await expect(fetchFile(`${server.url}/blob`, { expect: 'bytes', maxBytes: 100, size: 100 })).rejects.toMatchObject({
        code: 'MODMESH_REMOTE_INCOMPLETE',
        message: expect.stringContaining('after 10 of the 100 bytes expected'),
      });
      expect((await fetchFile(`${server.url}/blob`, { expect: 'bytes', maxBytes: 100 })).length).toBe(10);
    });

    it('takes release files in any content type but HTML: a page standing in for a file is not the file', async () => {
      const server = await serve((req, res) =>
        res.writeHead(200, { 'content-type': req.url === '/page' ? 'text/html; charset=utf-8' : 'application/octet-stream' }).end('<p>Welcome</p>'),
      );
      await expect(fetchFile(`${server.url}/page`, { expect: 'bytes', maxBytes: 100 })).rejects.toMatchObject({ code: 'MODMESH_REMOTE_BAD_CONTENT_TYPE' });
      expect((await fetchFile(`${server.url}/file`, { expect: 'bytes', maxBytes: 100 })).toString()).toBe('<p>Welcome</p>');
    });

    it('refuses a URL that is not http(s)', async () => {
      await expect(fetchFile('file:///etc/passwd', { expect: 'javascript', maxBytes: 1000 })).rejects.toMatchObject({ code: 'MODMESH_REMOTE_UNREACHABLE' });
    });
  });
}

// --- internal ---

interface FileOptions {
  expect: ExpectedKind;
  maxBytes: number;
  size?: number;
  remote?: string;
  deadlines?: Partial<Deadlines>;
}

// A GET of one file as the registry client makes it: the transport, then the one set of rules.
async function getFile(transport: Transport, url: string, options: FileOptions): Promise<Buffer> {
  const exchange = await transport.send({ method: 'GET', url, deadlines: { ...DEFAULT_DEADLINES, ...options.deadlines }, remote: options.remote });
  return Buffer.from(await receive(exchange, { ...options, url, what: `GET ${url}` }));
}
