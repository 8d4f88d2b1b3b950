// Standard TUF tooling reads our layout: stock tuf-js 5.0.1 (the last major that runs on Node 20)
// refreshes from a repository built with this package's builders, served as design 16 §1.3 lays
// it out, and downloads the target of a tag. It also refuses a tag move the movers did not sign.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTufRepository, type TestServer, type TufRepository } from '@modmesh/test-utils';
import { Updater } from 'tuf-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let repo: TufRepository;
let server: TestServer;
let dir: string;

beforeEach(async () => {
  // tuf-js checks expiry against the real clock.
  repo = await createTufRepository({ now: Date.now() });
  await repo.publish('auth', '1.0.0');
  await repo.publish('auth', '1.1.0');
  await repo.moveTag('auth', 'stable', '1.1.0');
  server = await repo.serve();
  dir = mkdtempSync(path.join(tmpdir(), 'modmesh-tufjs-'));
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function updater(): Updater {
  // A fresh client each time, trusting root v1 as a host is configured with it.
  const metadataDir = mkdtempSync(path.join(dir, 'metadata-'));
  writeFileSync(path.join(metadataDir, 'root.json'), repo.files.get('1.root.json') as Uint8Array);
  return new Updater({
    metadataDir,
    metadataBaseUrl: `${server.url}/v1/tuf/metadata`,
    targetDir: mkdtempSync(path.join(dir, 'targets-')),
    targetBaseUrl: `${server.url}/v1/tuf/targets`,
  });
}

describe('stock tuf-js 5.0.1 against our layout', () => {
  it('refreshes, finds auth/tags/stable with its signed state, and downloads the release document it names', async () => {
    const client = updater();
    await client.refresh();
    const info = await client.getTargetInfo('auth/tags/stable');
    expect(info?.custom).toMatchObject({ modmesh: { remote: 'auth', tag: 'stable', version: '1.1.0', seq: 1 } });
    const file = await client.downloadTarget(info as NonNullable<typeof info>);
    const document = [...repo.targets].find(([target]) => target.startsWith('auth/releases/') && target.endsWith('.1.1.0.json'))?.[1];
    expect(readFileSync(file)).toEqual(Buffer.from(document as Uint8Array));
    expect(JSON.parse(readFileSync(file, 'utf8')).manifest).toMatchObject({ name: 'auth', version: '1.1.0' });
    expect(await client.getTargetInfo('auth/releases/1.0.0.json')).toMatchObject({ length: expect.any(Number) });
    expect(await client.getTargetInfo('auth/releases/9.9.9.json')).toBeUndefined();
    // It walked the layout: the root probe, timestamp, snapshot, targets and the delegated roles by version.
    expect(server.requests).toEqual(
      expect.arrayContaining([
        'GET /v1/tuf/metadata/2.root.json',
        'GET /v1/tuf/metadata/timestamp.json',
        `GET /v1/tuf/metadata/${repo.versions.snapshot}.snapshot.json`,
        `GET /v1/tuf/metadata/${repo.current.targets.signed.version}.targets.json`,
        'GET /v1/tuf/metadata/1.auth.tags.json',
      ]),
    );
  });

  it('refuses, as our verifier does, a tag move signed by the online key instead of a mover', async () => {
    const tags = structuredClone(repo.current.roles['auth.tags']?.signed) as unknown as { version: number };
    await repo.putRole('auth.tags', { signed: { ...tags, version: tags.version + 1 }, signatures: [] }, [repo.keys.online]);
    await repo.commit();
    const client = updater();
    await client.refresh();
    await expect(client.getTargetInfo('auth/tags/stable')).rejects.toThrow(/auth\.tags was signed by 0\/1 keys/);
  });
});
