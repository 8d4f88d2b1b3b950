// Real builds with webpack 5 and rspack of a small project (createRemoteProject: a remote as
// `modmesh init` makes one, for Node and browsers), as `modmesh build` and as the plugin
// in a team's own config, each container then loaded in a fresh Node process.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRemoteProject, pollUntil, removeRemoteProjects, repoRoot } from '@modmesh/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import type { Compiler } from 'webpack';
import { type BuildResult, buildRelease, watchRelease } from './build.js';
import { ModmeshPlugin } from './plugin.js';

const BUNDLERS = ['webpack', 'rspack'] as const;
const BUILD_TIMEOUT_MS = 120_000;

afterAll(removeRemoteProjects);

// What a Node host gets from the container: its exposed module, called.
async function greetThrough(containerDir: string, name: string): Promise<string> {
  const script = `const c = require(${JSON.stringify(path.join(containerDir, 'remoteEntry.js'))});
    (async () => { await c.init({}); const m = (await c.get('./greeting'))(); process.stdout.write(m.greet(${JSON.stringify(name)})); })()
      .catch((e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
  return stdout;
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .sort()
      .filter((name) => !name.endsWith('/') && !['node', 'web'].includes(name))
      .map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]),
  );
}

describe.each(BUNDLERS)('modmesh build with %s', (bundler) => {
  it(
    'writes the release directory: each target with its entry, chunks, source maps, mf-manifest.json and build info',
    async () => {
      const { dir } = createRemoteProject();
      const result = await buildRelease({ dir, bundler });
      const release = path.join(dir, 'dist/release');
      expect(result).toMatchObject({ name: 'greeter', outDir: release, bundler });
      expect(result.targets.map((target) => target.target)).toEqual(['node', 'web']);
      for (const target of ['node', 'web']) {
        const names = readdirSync(path.join(release, target));
        expect(names).toEqual(expect.arrayContaining(['remoteEntry.js', 'remoteEntry.js.map', 'mf-manifest.json', 'modmesh-build.json']));
        expect(names.some((name) => /^__federation_expose_greeting\.[0-9a-f]{12}\.js\.map$/.test(name))).toBe(true);
        const info = JSON.parse(readFileSync(path.join(release, target, 'modmesh-build.json'), 'utf8'));
        expect(info).toMatchObject({ name: 'greeter', target, bundler, defines: { __PUNCTUATION__: '!' } });
        expect(JSON.parse(readFileSync(path.join(release, target, 'mf-manifest.json'), 'utf8')).exposes.map((each: { path: string }) => each.path)).toEqual([
          './greeting',
        ]);
        // The declarations of what it exposes travel in the container's directory, so in the signed release.
        expect(JSON.parse(readFileSync(path.join(release, target, 'modmesh-types.json'), 'utf8'))).toEqual({
          schema: 'modmesh.types/v1',
          name: 'greeter',
          target,
          exposes: { './greeting': 'greeting' },
        });
        expect(readFileSync(path.join(release, target, 'modmesh-types.d.ts'), 'utf8')).toContain(
          'declare module "greeting" {\n    export function greet(name: string): string;\n}',
        );
      }
      expect(await greetThrough(path.join(release, 'node'), 'ada')).toBe('hello ada!');
      // The browser container asks the modmesh runtime for each chunk script's integrity.
      expect(readFileSync(path.join(release, 'web/remoteEntry.js'), 'utf8')).toContain('script.integrity = (modmeshWeb');
      // Nothing of the staging directory is left beside the release.
      expect(readdirSync(path.join(dir, 'dist'))).toEqual(['release']);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'gives byte-identical output for the same sources, wherever it is written',
    async () => {
      const { dir, setGreeting } = createRemoteProject();
      const first = await buildRelease({ dir, bundler, outDir: 'out-a' });
      const second = await buildRelease({ dir, bundler, outDir: 'out-b' });
      expect(files(second.outDir)).toEqual(files(first.outDir));
      setGreeting('hi');
      const changed = await buildRelease({ dir, bundler, outDir: 'out-c' });
      expect(changed.targets[0]?.buildId).not.toBe(first.targets[0]?.buildId);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'leaves the previous release as it was when a build fails',
    async () => {
      const { dir } = createRemoteProject();
      await buildRelease({ dir, bundler, targets: ['node'] });
      const before = files(path.join(dir, 'dist/release'));
      writeFileSync(path.join(dir, 'src/greeting.ts'), 'export const x = 1;\nexport const y = 2 +;\n');
      const failed = buildRelease({ dir, bundler, targets: ['node'] });
      await expect(failed).rejects.toMatchObject({ code: 'MODMESH_BUILD_FAILED', remote: 'greeter', file: 'src/greeting.ts' });
      // The file, line and column first, as an editor takes them.
      await expect(failed).rejects.toThrow(/was left as it was:\nsrc\/greeting\.ts:2:21: .*Expression expected/);
      expect(files(path.join(dir, 'dist/release'))).toEqual(before);
      expect(readdirSync(path.join(dir, 'dist'))).toEqual(['release']);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'says where TypeScript cannot declare an exposed module, file and line, and leaves declarations out with types: false',
    async () => {
      const { dir } = createRemoteProject();
      writeFileSync(
        path.join(dir, 'src/greeting.ts'),
        "export function greet(name: string): string {\n  return 'hello ' + name;\n}\nexport const makeCounter = () => class { private count = 0; };\n",
      );
      const result = await buildRelease({ dir, bundler, targets: ['node'] });
      expect(result.warnings).toMatch(/src\/greeting\.ts:4:\d+: the declaration of an exposed module: .*'count'/);
      expect(readdirSync(path.join(dir, 'dist/release/node'))).toContain('modmesh-types.d.ts');

      const without = createRemoteProject({ types: false });
      await buildRelease({ dir: without.dir, bundler, targets: ['node'] });
      expect(readdirSync(path.join(without.dir, 'dist/release/node')).filter((name) => name.startsWith('modmesh-types'))).toEqual([]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'builds the same release directory through ModmeshPlugin in a config the team keeps',
    async () => {
      const { dir } = createRemoteProject();
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', strict: true } }));
      const cli = await buildRelease({ dir, bundler, targets: ['node'], outDir: 'by-cli' });
      const own = path.join(dir, 'by-plugin');
      const plugin = new ModmeshPlugin({ name: 'greeter', exposes: { './greeting': './src/greeting.ts' }, defines: { __PUNCTUATION__: '!' }, outDir: own });
      await compile(bundler, dir, plugin);
      // The same files; their bytes differ as far as the team's loader compiles differently.
      const layout = (root: string) => Object.keys(files(root)).map((name) => name.replace(/\.[0-9a-f]{12}\./, '.HASH.'));
      expect(layout(own)).toEqual(layout(cli.outDir));
      const info = (root: string) => JSON.parse(readFileSync(path.join(root, 'node/modmesh-build.json'), 'utf8'));
      expect(info(own)).toMatchObject({ name: 'greeter', target: 'node', bundler, exposes: info(cli.outDir).exposes });
      expect(await greetThrough(path.join(own, 'node'), 'grace')).toBe('hello grace!');
    },
    BUILD_TIMEOUT_MS,
  );
});

describe('modmesh build --watch', () => {
  it(
    'rebuilds when a source changes, and the release then holds the new code',
    async () => {
      const { dir, setGreeting } = createRemoteProject();
      const builds: BuildResult[] = [];
      const errors: Error[] = [];
      const watcher = await watchRelease(
        { dir, bundler: 'rspack', targets: ['node'] },
        { onBuild: (result) => builds.push(result), onError: (error) => errors.push(error) },
      );
      try {
        await pollUntil('the first build', async () => (builds.length >= 1 ? true : undefined), { deadlineMs: 60_000 });
        const node = path.join(dir, 'dist/release/node');
        expect(await greetThrough(node, 'ada')).toBe('hello ada!');
        setGreeting('welcome');
        await pollUntil('a rebuild after the change', async () => (builds.length >= 2 ? true : undefined), { deadlineMs: 60_000 });
        expect(await greetThrough(node, 'ada')).toBe('welcome ada!');
        expect(builds[1]?.targets[0]?.buildId).not.toBe(builds[0]?.targets[0]?.buildId);
        expect(errors).toEqual([]);
      } finally {
        await watcher.close();
      }
    },
    BUILD_TIMEOUT_MS,
  );
});

// --- internal ---

// A team's own config, as it might be before modmesh: its own loader and settings, plus the plugin.
async function compile(bundler: 'webpack' | 'rspack', dir: string, plugin: ModmeshPlugin): Promise<void> {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const rule =
    bundler === 'webpack'
      ? {
          test: /\.ts$/,
          loader: require.resolve('ts-loader'),
          options: { transpileOnly: true, compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
        }
      : { test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } }, type: 'javascript/auto' };
  const config = {
    mode: 'production' as const,
    context: dir,
    entry: {},
    optimization: { minimize: false },
    resolve: { extensions: ['.ts', '.js'] },
    module: { rules: [rule] },
    plugins: [plugin],
  };
  const compiler: Compiler =
    bundler === 'webpack' ? (await import('webpack')).default(config) : ((await import('@rspack/core')).rspack(config as never) as unknown as Compiler);
  await new Promise<void>((resolve, reject) =>
    compiler.run((error, stats) =>
      error || stats?.hasErrors() ? reject(error ?? new Error(stats?.toString({ all: false, errors: true }))) : compiler.close(() => resolve()),
    ),
  );
}
