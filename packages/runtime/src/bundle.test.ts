// The runtime as Node hosts load it: one prebuilt file (dist/bundle, see webpack.config.js).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { importsOf, requireCompiled } from '@modmesh/test-utils';
import { describe, expect, it } from 'vitest';
import * as source from './index.js';

describe('the bundled Node runtime', () => {
  const file = requireCompiled('packages/runtime/dist/bundle/index.js');
  const text = readFileSync(file, 'utf8');

  it('exports what the sources export', async () => {
    const bundled = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(source).sort());
  });

  it('imports nothing but Node and the one error class of @modmesh/manifest', () => {
    const imported = importsOf(text, file);
    const other = imported.filter((name) => !name.startsWith('node:') && !builtinModules.includes(name) && !name.startsWith('./'));
    expect([...new Set(other)]).toEqual(['@modmesh/manifest/errors']);
  });

  it('leaves the TUF verifier and the schema library to a chunk that only a host with a root loads', () => {
    // webpack names each module it concatenates in a comment line: what is in the file.
    const modules = [...text.matchAll(/^;\/\/ (.+)$/gm)].map(([, name]) => name);
    expect(modules.some((name) => name?.includes('host-core/dist'))).toBe(true);
    expect(modules.some((name) => name?.includes('/zod/'))).toBe(false);
    expect(modules.some((name) => name?.includes('trust/dist'))).toBe(false);
    const chunk = readFileSync(path.join(path.dirname(file), 'dist_root-trust_js.js'), 'utf8');
    expect(chunk).toContain('trust/dist');
  });
});
