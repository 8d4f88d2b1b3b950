// `modmesh init` in-process: what it writes and what it refuses. The scaffold installed, built,
// published and run outside this checkout is test/e2e/src/init.test.ts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

const works: string[] = [];
afterAll(() => {
  for (const dir of works) rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-init-'));
  works.push(dir);
  return dir;
}

async function init(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['init', ...args], {
    cwd,
    env: {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe('modmesh init', () => {
  it('writes a remote whose config, module and test agree on one name, with the bundler asked for', async () => {
    const work = workDir();
    const result = await init(['greeter', '--bundler', 'rspack'], work);
    expect(result.code, result.stderr).toBe(0);
    const dir = path.join(work, 'greeter');
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).toBe('modmesh build --bundler rspack');
    expect(pkg.devDependencies).toMatchObject({ '@modmesh/cli': '^0.1.0', '@modmesh/build': '^0.1.0', '@rspack/core': '2.2.9' });
    expect(readFileSync(path.join(dir, 'modmesh.config.ts'), 'utf8')).toContain("name: 'greeter'");
    expect(existsSync(path.join(dir, 'src/greeting.ts'))).toBe(true);
    expect(readFileSync(path.join(dir, 'test/greeting.test.mjs'), 'utf8')).toContain("container.get('./greeting')");
  });

  it('writes a host using the remote it is told, from tarballs when given, and a registry in .npmrc when named', async () => {
    const work = workDir();
    const packs = path.join(work, 'packs');
    mkdirSync(packs);
    for (const file of ['modmesh-runtime-0.1.0.tgz', 'modmesh-manifest-0.1.0.tgz', 'modmesh-runtime-utils-0.1.0.tgz'])
      writeFileSync(path.join(packs, file), '');
    const result = await init(['shop', '--host', '--uses', 'billing', '--packages', packs, '--npm-registry', 'http://127.0.0.1:4873/'], work);
    expect(result.code, result.stderr).toBe(0);
    const dir = path.join(work, 'shop');
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies).toEqual({
      '@modmesh/runtime': `file:${path.join(packs, 'modmesh-runtime-0.1.0.tgz')}`,
      '@modmesh/manifest': `file:${path.join(packs, 'modmesh-manifest-0.1.0.tgz')}`,
    });
    expect(readFileSync(path.join(dir, 'src/main.js'), 'utf8')).toContain("mesh.import('billing/greeting'");
    expect(readFileSync(path.join(dir, '.npmrc'), 'utf8')).toBe('@modmesh:registry=http://127.0.0.1:4873/\n');
  });

  it('refuses a directory that is not empty, and writes nothing into it', async () => {
    const work = workDir();
    writeFileSync(path.join(work, 'notes.txt'), 'mine');
    const result = await init(['.', '--name', 'greeter'], work);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error MODMESH_USAGE: ');
    expect(existsSync(path.join(work, 'package.json'))).toBe(false);
  });

  it('refuses a name that cannot be a remote, and tarballs that are not there', async () => {
    const work = workDir();
    expect((await init(['My Remote'], work)).stderr).toContain('error MODMESH_INVALID_NAME: ');
    const missing = await init(['greeter', '--packages', work], work);
    expect(missing.stderr).toContain('has no tarball of @modmesh/cli');
    expect(existsSync(path.join(work, 'greeter'))).toBe(false);
  });
});
