import { describe, expect, it } from 'vitest';
import { declaredModules, hasDefaultExport, renameModules } from './module-names.js';

const BUNDLE = `/// <reference types="node" />
declare module "src/validator" {
    import { type JsonWebKey } from 'node:crypto';
    export interface TrustedKey extends JsonWebKey { kid: string }
    export function check(key: TrustedKey): import("src/claims").Claims;
}
declare module "src/claims" {
    export interface Claims { sub: string }
}
declare module "src/index" {
    export * from "src/validator";
    export { type Claims as default } from "src/claims";
}
`;

describe('the modules of a declaration file', () => {
  it('lists the modules it declares', () => {
    expect(declaredModules(BUNDLE)).toEqual(['src/validator', 'src/claims', 'src/index']);
  });

  it('renames its own modules wherever they are named, and nothing else', () => {
    const renamed = renameModules(BUNDLE, (name) => `x:${name}`);
    expect(declaredModules(renamed)).toEqual(['x:src/validator', 'x:src/claims', 'x:src/index']);
    expect(renamed).toContain('import("x:src/claims").Claims');
    expect(renamed).toContain('export * from "x:src/validator"');
    expect(renamed).toContain("from 'node:crypto'");
    expect(renamed).toContain('/// <reference types="node" />');
  });

  it('tells which modules have a default export', () => {
    expect(hasDefaultExport(BUNDLE, 'src/index')).toBe(true);
    expect(hasDefaultExport(BUNDLE, 'src/validator')).toBe(false);
    expect(hasDefaultExport('declare module "a" {\n  export default function f(): void;\n}\n', 'a')).toBe(true);
  });
});
