import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModmeshConfig } from './config-schema.js';
import { loadConfig } from './load-config.js';
import { resolveConfig } from './resolve-config.js';

// A project as a user has it: a source file to expose and one installed package.
const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-config-'));
  projects.push(dir);
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src/greeting.ts'), "export const greet = (name: string) => 'hello ' + name;\n");
  mkdirSync(path.join(dir, 'node_modules/left-pad'), { recursive: true });
  writeFileSync(path.join(dir, 'node_modules/left-pad/package.json'), JSON.stringify({ name: 'left-pad', version: '1.3.0' }));
  return dir;
}

const valid: ModmeshConfig = { name: 'greeter', exposes: { './greeting': './src/greeting.ts' } };

// The coded error a config gets, with the message and hint the user reads.
function refusal(config: unknown, dir = project()): { code: string; message: string; hint: string } {
  try {
    resolveConfig(config, { dir, file: path.join(dir, 'modmesh.config.ts') });
  } catch (error) {
    const { code, message, hint } = error as { code: string; message: string; hint: string };
    return { code, message, hint };
  }
  throw new Error('the config was accepted');
}

describe('modmesh.config.ts', () => {
  it('fills in what the common case needs: a Node target, the release directory, shared versions from what is installed', () => {
    const dir = project();
    const config = resolveConfig({ ...valid, shared: ['left-pad'] }, { dir });
    expect(config.outDir).toBe(path.join(dir, 'dist/release'));
    expect(config.sourceMaps).toBe(true);
    expect(config.targets).toHaveLength(1);
    expect(config.targets[0]).toMatchObject({
      target: 'node',
      exposes: { './greeting': './src/greeting.ts' },
      shared: { 'left-pad': { singleton: true, version: '1.3.0', requiredVersion: '^1.0.0' } },
    });
  });

  it('gives each target its own exposes, shared packages and constants on top of the common ones', () => {
    const dir = project();
    writeFileSync(path.join(dir, 'src/Card.tsx'), 'export const Card = () => null;\n');
    const config = resolveConfig(
      {
        name: 'greeter',
        exposes: { './greeting': './src/greeting.ts' },
        defines: { __COMMON__: 1 },
        targets: {
          node: true,
          web: { exposes: { './Card': './src/Card.tsx' }, shared: { 'left-pad': { singleton: false } }, defines: () => ({ __WEB__: 'yes' }) },
        },
      },
      { dir },
    );
    const [node, web] = config.targets;
    expect(node?.exposes).toEqual({ './greeting': './src/greeting.ts' });
    expect(node?.defines()).toEqual({ __COMMON__: 1 });
    expect(web?.exposes).toEqual({ './greeting': './src/greeting.ts', './Card': './src/Card.tsx' });
    expect(web?.shared['left-pad']).toMatchObject({ singleton: false, version: '1.3.0' });
    expect(web?.defines()).toEqual({ __COMMON__: 1, __WEB__: 'yes' });
  });

  it('refuses an unknown key, naming it and the key that was meant', () => {
    const { code, message, hint } = refusal({ name: 'greeter', expose: { './greeting': './src/greeting.ts' } });
    expect(code).toBe('MODMESH_CONFIG_INVALID');
    expect(message).toContain('expose: unknown key');
    expect(hint).toContain("'exposes'");
  });

  it('refuses an unknown key inside a target and inside a shared package', () => {
    expect(refusal({ ...valid, targets: { node: { expose: {} } } }).message).toContain('targets.node.expose: unknown key');
    const shared = refusal({ ...valid, shared: { 'left-pad': { singelton: true } } });
    expect(shared.message).toContain('singelton: unknown key');
    expect(shared.hint).toContain("'singleton'");
  });

  it('refuses an expose whose file does not exist, naming the expose', () => {
    const { code, message } = refusal({ name: 'greeter', exposes: { './greeting': './src/greting.ts' } });
    expect(code).toBe('MODMESH_CONFIG_INVALID');
    expect(message).toContain(`exposes["./greeting"]: ./src/greting.ts does not exist`);
  });

  it('accepts an expose written without its extension, as the bundler resolves it', () => {
    expect(() => resolveConfig({ name: 'greeter', exposes: { './greeting': './src/greeting' } }, { dir: project() })).not.toThrow();
  });

  it('refuses an expose name without ./, saying what to write', () => {
    const { message, hint } = refusal({ name: 'greeter', exposes: { greeting: './src/greeting.ts' } });
    expect(message).toContain(`exposes["greeting"]: "greeting" is not an exposed module's name`);
    expect(hint).toContain("'./greeting'");
  });

  it('refuses a shared package that is not installed, naming it and how to install it', () => {
    const { code, message, hint } = refusal({ ...valid, shared: ['left-pad', 'jsonwebtokn'] });
    expect(code).toBe('MODMESH_CONFIG_INVALID');
    expect(message).toContain('shared["jsonwebtokn"]: jsonwebtokn is not installed');
    expect(message).not.toContain('left-pad');
    expect(hint).toContain('npm install jsonwebtokn');
  });

  it('refuses a bad name, saying which name to write', () => {
    const upper = refusal({ ...valid, name: 'AuthService' });
    expect(upper.code).toBe('MODMESH_CONFIG_INVALID');
    expect(upper.message).toContain('name: "AuthService" is not a remote name');
    expect(upper.hint).toContain("name: 'auth-service'");
    expect(refusal({ ...valid, name: '@acme/auth' }).hint).toContain("name: 'auth'");
    // A browser container is a JavaScript global: no dashes.
    const web = refusal({ ...valid, name: 'auth-ui', targets: ['web'] });
    expect(web.message).toContain('name: "auth-ui" cannot name a browser container');
    expect(web.hint).toContain("name: 'auth_ui'");
  });

  it('refuses a missing name and a target that is not one, saying what to write', () => {
    expect(refusal({ exposes: valid.exposes }).message).toContain('name: is required');
    const browser = refusal({ ...valid, targets: ['node', 'browser'] });
    expect(browser.message).toContain('targets[1]: "browser" is not a target');
    expect(browser.hint).toContain("Write 'web'");
  });

  it('names a mistyped option of a shared package inside a target, and a mistake of a common field once', () => {
    const nested = refusal({ ...valid, targets: { node: { shared: { 'left-pad': { singelton: true } } } } });
    expect(nested.message).toContain('targets.node.shared["left-pad"].singelton: unknown key');
    expect(nested.hint).toContain("'singleton'");
    const twice = refusal({ name: 'greeter', exposes: { './x': './nope.ts' }, targets: ['node', 'web'] });
    expect(twice.message.split('exposes["./x"]')).toHaveLength(2);
  });

  it('lists every problem of a config in one error', () => {
    const { message } = refusal({ name: 'Bad', exposes: { './x': './nope.ts' }, shared: ['nope'] });
    expect(message).toContain('name:');
    expect(message).toContain('exposes["./x"]');
    expect(message).toContain('shared["nope"]');
  });

  it('refuses an outDir over the project itself, which a rebuild would replace', () => {
    expect(refusal({ ...valid, outDir: '.' }).message).toContain('outDir:');
  });

  it('refuses constants that are not JSON, when the target using them is built', () => {
    const config = resolveConfig({ ...valid, defines: () => ({ __WHEN__: () => 1 }) }, { dir: project() });
    expect(() => config.targets[0]?.defines()).toThrow(expect.objectContaining({ code: 'MODMESH_CONFIG_INVALID' }));
  });
});

describe('loadConfig', () => {
  it('loads a TypeScript config without a build step, and reports one that throws with its file', async () => {
    const dir = project();
    writeFileSync(
      path.join(dir, 'modmesh.config.ts'),
      "const name: string = 'greeter';\nexport default { name, exposes: { './greeting': './src/greeting.ts' } };\n",
    );
    expect((await loadConfig({ dir })).name).toBe('greeter');

    writeFileSync(path.join(dir, 'modmesh.config.ts'), "throw Object.assign(new Error('no key'), { code: 'AUTH_SIGNING_KEY_MISSING' });\nexport default {};\n");
    await expect(loadConfig({ dir })).rejects.toMatchObject({
      code: 'MODMESH_CONFIG_INVALID',
      message: expect.stringContaining('AUTH_SIGNING_KEY_MISSING: no key'),
    });
  });

  it('loads a JavaScript config as Node does', async () => {
    const dir = project();
    writeFileSync(path.join(dir, 'modmesh.config.mjs'), "export default { name: 'greeter-js', exposes: { './greeting': './src/greeting.ts' } };\n");
    expect((await loadConfig({ dir })).name).toBe('greeter-js');
  });

  it('says how to make a config when there is none', async () => {
    await expect(loadConfig({ dir: project() })).rejects.toMatchObject({ code: 'MODMESH_USAGE', hint: expect.stringContaining('modmesh init') });
  });
});
