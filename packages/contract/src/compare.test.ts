import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareContracts } from './compare.js';
import { type Declarations, emitDeclarations } from './declarations.js';

// Each case emits the declarations of two versions of a small remote's sources with the
// TypeScript compiler, as `modmesh build` does, and compares them as the publish gate does.
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const USER = 'export interface User { name: string; roles: string[] }\n';

function release(api: string, more: Record<string, string> = {}): Declarations {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-contract-'));
  made.push(dir);
  mkdirSync(path.join(dir, 'src'));
  const sources = { 'src/api.ts': api, 'src/user.ts': USER, ...more };
  for (const [file, text] of Object.entries(sources)) writeFileSync(path.join(dir, file), text);
  const exposes = Object.fromEntries(
    Object.keys(sources)
      .filter((file) => file !== 'src/user.ts')
      .map((file) => [`./${path.basename(file, '.ts')}`, `./${file}`]),
  );
  const emitted = emitDeclarations({ dir, exposes });
  expect(emitted.problems).toEqual([]);
  return emitted;
}

function compare(before: string, after: string, more: { before?: Record<string, string>; after?: Record<string, string> } = {}) {
  return compareContracts(release(before, more.before), release(after, more.after), { dir: os.tmpdir() });
}

const VALIDATE = `import type { User } from './user.js';
export function validate(token: string): { isValid: boolean; user: User } {
  return { isValid: token.length > 0, user: { name: token, roles: [] } };
}
`;

describe('the contract of exposed modules', () => {
  it('keeps a release that declares the same thing', () => {
    expect(compare(VALIDATE, VALIDATE)).toEqual({ breaks: [], added: [] });
  });

  it('refuses a removed export, naming it and what it was', () => {
    const { breaks } = compare(`${VALIDATE}export const VERSION = 2;\n`, VALIDATE);
    expect(breaks).toEqual([{ expose: './api', name: 'VERSION', before: '2', after: '(removed)' }]);
  });

  it('refuses a removed exposed module', () => {
    const { breaks } = compare(VALIDATE, VALIDATE, { before: { 'src/extra.ts': 'export const x = 1;\n' } });
    expect(breaks).toEqual([{ expose: './extra', name: '*', before: 'an exposed module', after: '(removed)' }]);
  });

  it('refuses a changed parameter, with the old and new type and why', () => {
    const { breaks } = compare(
      VALIDATE,
      VALIDATE.replace('token: string', 'token: number').replace('token.length > 0, user: { name: token', 'token > 0, user: { name: String(token)'),
    );
    expect(breaks).toHaveLength(1);
    expect(breaks[0]).toMatchObject({
      expose: './api',
      name: 'validate',
      before: '(token: string) => { isValid: boolean; user: User; }',
      after: '(token: number) => { isValid: boolean; user: User; }',
    });
    expect(breaks[0]?.why).toMatch(/parameters 'token' and 'token' are incompatible/);
  });

  it('refuses a parameter that accepts less than before', () => {
    const before = 'export function scale(value: number | string, by?: number): number { return Number(value) * (by ?? 1); }\n';
    const after = 'export function scale(value: number, by: number): number { return value * by; }\n';
    const { breaks } = compare(before, after);
    expect(breaks.map((each) => [each.name, each.before, each.after])).toEqual([
      ['scale', '(value: string | number, by?: number | undefined) => number', '(value: number, by: number) => number'],
    ]);
  });

  it('refuses a result that promises less: a property gone, or undefined where there was none', () => {
    const fewer = compare(
      VALIDATE,
      VALIDATE.replace('{ isValid: boolean; user: User }', '{ isValid: boolean }').replace(', user: { name: token, roles: [] }', ''),
    );
    expect(fewer.breaks.map((each) => [each.name, each.after])).toEqual([['validate', '(token: string) => { isValid: boolean; }']]);
    expect(fewer.breaks[0]?.why).toMatch(/Property 'user' is missing/);

    const optional = compare(
      'export function find(id: string): string { return id; }\n',
      'export function find(id: string): string | undefined { return id || undefined; }\n',
    );
    expect(optional.breaks.map((each) => [each.name, each.before, each.after])).toEqual([
      ['find', '(id: string) => string', '(id: string) => string | undefined'],
    ]);
  });

  it('refuses an exported type that lost a member, and a default export whose signature changed', () => {
    const before =
      'export interface Options { issuer: string; audience: string }\nexport default function create(options: Options): string { return options.issuer; }\n';
    const after =
      'export interface Options { issuer: string }\nexport default function create(options: Options, strict: boolean): string { return String(strict); }\n';
    const { breaks } = compare(before, after);
    expect(breaks.map((each) => each.name).sort()).toEqual(['Options', 'default']);
    expect(breaks.find((each) => each.name === 'Options')).toMatchObject({ before: '{ issuer: string; audience: string }', after: '{ issuer: string }' });
  });

  it('accepts an added export, a wider parameter, a result that promises more, an added optional parameter', () => {
    const before = `${VALIDATE}export function find(id: string): string | undefined { return id; }\n`;
    const after = `import type { User } from './user.js';
export function validate(token: string | Uint8Array, options?: { leeway: number }): { isValid: boolean; user: User; expiresAt: number } {
  return { isValid: options !== undefined, user: { name: String(token), roles: [] }, expiresAt: 0 };
}
export function find(id: string): string { return id; }
export function decode(token: string): string { return token; }
`;
    expect(compare(before, after)).toEqual({ breaks: [], added: ['./api: decode'] });
  });

  it('accepts an added exposed module, and an exported type that gained a member', () => {
    const { breaks, added } = compare('export interface Claims { sub: string }\n', 'export interface Claims { sub: string; scope: string }\n', {
      after: { 'src/extra.ts': 'export const x = 1;\n' },
    });
    expect(breaks).toEqual([]);
    expect(added).toEqual(['./extra']);
  });

  it('compares generic types by their parameters', () => {
    const { breaks } = compare(
      'export type Result<T> = { ok: true; value: T } | { ok: false };\n',
      'export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };\n',
    );
    expect(breaks).toEqual([{ expose: './api', name: 'Result', before: '1 type parameters', after: '2 type parameters' }]);
    expect(compare('export type Box<T> = { value: T };\n', 'export type Box<T> = { value: T; label?: string };\n').breaks).toEqual([]);
  });
});
