import net from 'node:net';
import { createTestRegistry, publishFixture, releaseFixture, setUpPublisher, type TestRegistry } from '@modmesh/registry-test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let registry: TestRegistry;
beforeEach(async () => {
  registry = await createTestRegistry();
});
afterEach(() => registry.cleanup());

describe('refusals before any route runs', () => {
  it('a URL that does not decode is a coded 400', async () => {
    const response = await registry.app.inject({ url: '/v1/remotes/%zz' });
    expect([response.statusCode, response.json().error.code]).toEqual([400, 'MODMESH_BAD_REQUEST']);
  });

  it('a long range resolves (URL-encoded it is far over 100 characters); a segment over 1024 is a coded 414', async () => {
    const publisher = await setUpPublisher(registry, 'auth');
    expect((await publishFixture(registry, releaseFixture('auth', '1.0.0'), publisher)).statusCode).toBe(201);
    const range = Array.from({ length: 12 }, (_, minor) => `>=1.${minor}.0 <1.${minor}.9`).join(' || ');
    expect(range.length).toBeLessThanOrEqual(256);
    const resolved = await registry.app.inject({ url: `/v1/remotes/auth/resolve/${encodeURIComponent(range)}` });
    expect([resolved.statusCode, resolved.json().version]).toEqual([200, '1.0.0']);
    const tooLong = await registry.app.inject({ url: `/v1/remotes/auth/resolve/${'a'.repeat(1100)}` });
    expect([tooLong.statusCode, tooLong.json().error.code]).toEqual([414, 'MODMESH_BAD_REQUEST']);
  });

  it('bytes that are not HTTP get a coded 400, and the connection is closed', async () => {
    await registry.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = registry.app.server.address() as net.AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('\u0000\u0001 not http\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk;
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*connection: close\r\n\r\n/);
    expect(JSON.parse(answer.split('\r\n\r\n')[1] ?? '').error.code).toBe('MODMESH_BAD_REQUEST');
  });

  it('headers over 16 KB get a coded 431 that reaches the client, which is still sending', async () => {
    await registry.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = registry.app.server.address() as net.AddressInfo;
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await fetch(`http://127.0.0.1:${port}/v1/remotes`, { headers: { authorization: `Bearer ${'A'.repeat(1024 * 1024)}` } });
      expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([431, 'MODMESH_BAD_REQUEST']);
    }
  });
});
