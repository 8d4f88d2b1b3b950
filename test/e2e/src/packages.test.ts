// Every package a user installs is publishable as it is: typed exports, a bin that exists, only
// built files shipped, the Node version it needs, and every package its built code imports
// declared (installed elsewhere, nothing is hoisted for it). `init.test.ts` installs the tarballs
// in a project outside this checkout and runs them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { importsOf, repoRoot, requireCompiled } from '@modmesh/test-utils';
import { describe, expect, it } from 'vitest';

const INSTALLABLE = ['manifest', 'contract', 'build', 'cli', 'runtime', 'registry'];

interface PackageJson {
  name: string;
  private?: boolean;
  engines?: { node?: string };
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

describe.each(INSTALLABLE)('@modmesh/%s', (name) => {
  const dir = path.join(repoRoot, 'packages', name);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;

  it('exports each entry with its types, for Node and for this repository’s tests', () => {
    expect(pkg.private).not.toBe(true);
    expect(pkg.engines?.node).toMatch(/^>=20/);
    expect(Object.keys(pkg.exports ?? {})).toContain('.');
    expect(pkg.exports?.['./package.json']).toBe('./package.json');
    for (const [entry, target] of Object.entries(pkg.exports ?? {})) {
      if (entry === './package.json') continue;
      expect(target, entry).toMatchObject({ 'modmesh-source': expect.stringMatching(/^\.\/src\//), types: expect.stringMatching(/^\.\/dist\/.*\.d\.ts$/) });
      const conditions = target as Record<string, string>;
      // The types condition comes before the code, as TypeScript reads them in order.
      expect(Object.keys(conditions).indexOf('types')).toBeLessThan(Object.keys(conditions).indexOf('default'));
    }
  });

  it('ships its built files and bin only, and nothing that points into this checkout', () => {
    expect(pkg.files).toContain('dist');
    expect(pkg.files?.some((file) => file.startsWith('src'))).toBe(false);
    for (const bin of Object.values(pkg.bin ?? {})) {
      expect(pkg.files?.some((file) => bin.startsWith(`./${file}`) || bin.startsWith(file))).toBe(true);
      expect(readFileSync(path.join(dir, bin), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    }
    for (const [dependency, spec] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      expect(spec, dependency).not.toMatch(/^(file:|link:|workspace:|\.|\/)/);
    }
  });

  it('declares every package its built code imports', () => {
    requireCompiled(`packages/${name}/dist/index.js`);
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    const undeclared = new Map<string, string>();
    for (const file of listJs(path.join(dir, 'dist'))) {
      for (const fileName of importsOf(readFileSync(file, 'utf8'), file)) {
        if (fileName.startsWith('.') || fileName.startsWith('node:')) continue;
        const packageName = fileName.startsWith('@') ? fileName.split('/').slice(0, 2).join('/') : (fileName.split('/')[0] ?? '');
        if (builtinModules.includes(packageName) || packageName === pkg.name) continue;
        if (!declared.has(packageName)) undeclared.set(packageName, path.relative(dir, file));
      }
    }
    expect(Object.fromEntries(undeclared)).toEqual({});
  });
});

// --- internal ---

function listJs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listJs(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}
