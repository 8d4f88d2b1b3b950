import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePublisherKeyPair, signRelease } from '@modmesh/manifest';
import { repoRoot } from '@modmesh/test-utils';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { buildReleaseManifest, listFiles } from './release.js';

const { remoteDir } = inject('authBuild');
const temporary: string[] = [];

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-release-'));
  temporary.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('buildReleaseManifest', () => {
  it('describes the real auth build: every file hashed, its container, the webpack that built it; and it signs', async () => {
    const manifest = await buildReleaseManifest({ dir: remoteDir, name: 'auth', version: '1.0.0', target: 'node', bundler: 'webpack', cwd: repoRoot });
    const entry = manifest.files.find((file) => file.path === 'remoteEntry.js');
    const bytes = readFileSync(path.join(remoteDir, 'remoteEntry.js'));
    expect(entry).toEqual({ path: 'remoteEntry.js', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(manifest.containers).toEqual([
      expect.objectContaining({ target: 'node', name: 'auth', entry: 'remoteEntry.js', exposes: [expect.objectContaining({ name: './tokenValidator' })] }),
    ]);
    const webpack = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/webpack/package.json'), 'utf8')) as { version: string };
    expect(manifest.build).toMatchObject({ bundler: 'webpack', bundlerVersion: webpack.version });
    expect(signRelease(manifest, generatePublisherKeyPair().privateKeyPem).manifest.files).toHaveLength(manifest.files.length);
  });

  it('records "unknown" for a bundler it cannot find, and refuses a directory without mf-manifest.json', async () => {
    const mf = readFileSync(path.join(remoteDir, 'mf-manifest.json'), 'utf8');
    const dir = tempDir({ 'mf-manifest.json': mf, 'remoteEntry.js': '// entry' });
    const manifest = await buildReleaseManifest({ dir, name: 'auth', version: '1.0.0', target: 'node', bundler: 'no-such-bundler', cwd: dir });
    expect(manifest.build.bundlerVersion).toBe('unknown');

    const bare = tempDir({ 'remoteEntry.js': '// entry' });
    await expect(buildReleaseManifest({ dir: bare, name: 'auth', version: '1.0.0', target: 'node', bundler: 'webpack', cwd: bare })).rejects.toMatchObject({
      code: 'MODMESH_REMOTE_MANIFEST_INVALID',
    });
  });
});

describe('a release holding a Node and a browser container', () => {
  it('reads one container per target directory, each with its files under its own prefix', async () => {
    const mf = JSON.parse(readFileSync(path.join(remoteDir, 'mf-manifest.json'), 'utf8'));
    const dir = tempDir({
      'node/mf-manifest.json': JSON.stringify(mf),
      'node/remoteEntry.js': '// node entry',
      'web/mf-manifest.json': JSON.stringify({ ...mf, exposes: [{ path: './LoginForm', assets: { js: { sync: ['ui.js'], async: [] } } }] }),
      'web/remoteEntry.js': '// web entry',
      'web/ui.js': '// ui',
    });
    const manifest = await buildReleaseManifest({ dir, name: 'auth', version: '1.1.0', target: 'node', bundler: 'webpack', cwd: repoRoot });
    expect(manifest.containers).toEqual([
      expect.objectContaining({ target: 'node', entry: 'node/remoteEntry.js' }),
      expect.objectContaining({ target: 'web', entry: 'web/remoteEntry.js', exposes: [{ name: './LoginForm', files: ['web/ui.js'] }] }),
    ]);
    expect(manifest.files.map((file) => file.path)).toEqual([
      'node/mf-manifest.json',
      'node/remoteEntry.js',
      'web/mf-manifest.json',
      'web/remoteEntry.js',
      'web/ui.js',
    ]);
  });
});

describe('listFiles', () => {
  it('lists regular files as sorted relative paths with forward slashes', async () => {
    const dir = tempDir({ 'b.js': '', 'chunks/z.js': '', 'chunks/a/deep.js': '', 'A.js': '' });
    expect(await listFiles(dir)).toEqual(['A.js', 'b.js', 'chunks/a/deep.js', 'chunks/z.js']);
  });

  it('refuses a symbolic link, naming it: MODMESH_UNSAFE_PATH', async () => {
    const dir = tempDir({ 'remoteEntry.js': '' });
    mkdirSync(path.join(dir, 'chunks'));
    symlinkSync('/etc/passwd', path.join(dir, 'chunks/passwd.js'));
    await expect(listFiles(dir)).rejects.toMatchObject({ code: 'MODMESH_UNSAFE_PATH', file: 'chunks/passwd.js' });
  });

  it('refuses a file name a release cannot hold: MODMESH_UNSAFE_PATH', async () => {
    const dir = tempDir({ 'back\\slash.js': '' });
    await expect(listFiles(dir)).rejects.toMatchObject({ code: 'MODMESH_UNSAFE_PATH', file: 'back\\slash.js' });
  });
});
