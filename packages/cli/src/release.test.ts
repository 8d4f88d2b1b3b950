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

/** An mf-manifest.json as @module-federation/enhanced writes it, for a container exposing these modules from these chunks. */
function mfManifest(exposes: Record<string, string[]>): string {
  return JSON.stringify({
    metaData: { name: 'auth', remoteEntry: { name: 'remoteEntry.js', path: '', type: 'commonjs-module' } },
    exposes: Object.entries(exposes).map(([expose, sync]) => ({ path: expose, assets: { js: { sync, async: [] } } })),
    shared: [],
  });
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

  it('records "unknown" for a bundler it cannot find', async () => {
    const dir = tempDir({ 'mf-manifest.json': mfManifest({ './greeter': ['greeter.js'] }), 'remoteEntry.js': '// entry', 'greeter.js': '// greeter' });
    const manifest = await buildReleaseManifest({ dir, name: 'auth', version: '1.0.0', target: 'node', bundler: 'no-such-bundler', cwd: dir });
    expect(manifest.build.bundlerVersion).toBe('unknown');
  });

  it('refuses a build whose mf-manifest.json names a chunk the directory lacks, naming it: MODMESH_RELEASE_INCOMPLETE', async () => {
    const dir = tempDir({
      'mf-manifest.json': mfManifest({ './greeter': ['greeter.js'], './other': ['other.js'] }),
      'remoteEntry.js': '// entry',
      'other.js': '',
    });
    const refused = buildReleaseManifest({ dir, name: 'auth', version: '1.0.0', target: 'node', bundler: 'webpack', cwd: dir });
    await expect(refused).rejects.toMatchObject({ code: 'MODMESH_RELEASE_INCOMPLETE', file: 'greeter.js' });
    await expect(refused).rejects.toThrow(`${dir}: mf-manifest.json names greeter.js (./greeter's chunk), which is not in the directory`);
  });

  it('refuses a directory without the entry mf-manifest.json names: MODMESH_RELEASE_INCOMPLETE, not a schema error', async () => {
    const dir = tempDir({ 'mf-manifest.json': mfManifest({}) });
    await expect(buildReleaseManifest({ dir, name: 'auth', version: '1.0.0', target: 'node', bundler: 'webpack', cwd: dir })).rejects.toMatchObject({
      code: 'MODMESH_RELEASE_INCOMPLETE',
      file: 'remoteEntry.js',
      hint: expect.stringContaining('output directory'),
    });
  });
});

describe('a build without mf-manifest.json', () => {
  const input = (dir: string, more: { entry?: string; exposes?: string[] } = {}) =>
    buildReleaseManifest({ dir, name: 'node-remote', version: '1.0.0', target: 'node', bundler: 'webpack', cwd: dir, ...more });

  it('is the container at remoteEntry.js, exposing what --expose names; nothing in it is run', async () => {
    const dir = tempDir({ 'remoteEntry.js': 'globalThis.ran = true;', '__federation_expose_test.js': '' });
    const notes: string[] = [];
    const manifest = await buildReleaseManifest({
      dir,
      name: 'node-remote',
      version: '1.0.0',
      target: 'node',
      bundler: 'webpack',
      cwd: dir,
      exposes: ['./test'],
      note: (text) => notes.push(text),
    });
    expect(manifest.containers).toEqual([{ target: 'node', name: 'node-remote', entry: 'remoteEntry.js', exposes: [{ name: './test' }], shared: [] }]);
    expect(notes).toEqual([expect.stringContaining('has no mf-manifest.json')]);
    expect((globalThis as { ran?: boolean }).ran).toBeUndefined();
  });

  it('takes another entry with --entry, and refuses one the directory lacks', async () => {
    const dir = tempDir({ 'main.js': '' });
    expect((await input(dir, { entry: 'main.js' })).containers[0]?.entry).toBe('main.js');
    await expect(input(dir, { entry: 'remoteEntry.js' })).rejects.toMatchObject({ code: 'MODMESH_RELEASE_INCOMPLETE', file: 'remoteEntry.js' });
  });

  it('a directory with neither: MODMESH_RELEASE_INCOMPLETE, pointing at the directory below that holds remoteEntry.js', async () => {
    const dir = tempDir({ 'package.json': '{}', 'dist/remote/remoteEntry.js': '' });
    const refused = input(dir);
    await expect(refused).rejects.toMatchObject({ code: 'MODMESH_RELEASE_INCOMPLETE', hint: expect.stringContaining(path.join(dir, 'dist/remote')) });
    await expect(refused).rejects.toThrow('holds neither mf-manifest.json nor remoteEntry.js');
  });

  it('refuses --entry and --expose beside an mf-manifest.json, and an expose not named ./NAME', async () => {
    const described = tempDir({ 'mf-manifest.json': mfManifest({}), 'remoteEntry.js': '' });
    await expect(input(described, { exposes: ['./x'] })).rejects.toMatchObject({ code: 'MODMESH_USAGE' });
    await expect(input(tempDir({ 'remoteEntry.js': '' }), { exposes: ['test'] })).rejects.toMatchObject({ code: 'MODMESH_USAGE' });
  });
});

describe('a release holding a Node and a browser container', () => {
  it('reads one container per target directory, each with its files under its own prefix', async () => {
    const mf = JSON.parse(mfManifest({}));
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
