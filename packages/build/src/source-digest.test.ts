import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceDigest } from './source-digest.js';
import { ModmeshWebPlugin } from './web-plugin.js';

describe('sourceDigest', () => {
  it('is the same for the same sources and options, and changes with either', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-digest-'));
    writeFileSync(path.join(dir, 'a.ts'), 'export const a = 1;');
    const first = sourceDigest([dir], { title: 'Sign in' });
    expect(sourceDigest([dir], { title: 'Sign in' })).toBe(first);
    expect(sourceDigest([dir], { title: 'Welcome back' })).not.toBe(first);
    writeFileSync(path.join(dir, 'a.ts'), 'export const a = 2;');
    expect(sourceDigest([dir], { title: 'Sign in' })).not.toBe(first);
    expect(first).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('ModmeshWebPlugin', () => {
  it('refuses names its entry footer could not reference, and build ids it could not put in a global', () => {
    expect(() => new ModmeshWebPlugin({ name: 'auth-ui', buildId: 'abc' })).toThrow(/container/);
    expect(() => new ModmeshWebPlugin({ name: 'auth', buildId: 'a"b' })).toThrow(/buildId/);
  });
});
