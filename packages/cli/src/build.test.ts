// `modmesh build` as a user runs it: its own process, a project's modmesh.config.ts, what it
// prints, its exit code, and --watch until Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRemoteProject, pollUntil, removeRemoteProjects, repoRoot, requireCompiled, runScript } from '@modmesh/test-utils';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BuildPackage } from './commands/build.js';

requireCompiled('packages/cli/dist/index.js');
const cli = path.join(repoRoot, 'packages/cli/bin/modmesh.js');
const BUILD_DEADLINE_MS = 120_000;

afterAll(removeRemoteProjects);

// The CLI's view of @modmesh/build (an optional peer it compiles without) matches the package.
const buildPackage: BuildPackage = {} as typeof import('@modmesh/build');
void buildPackage;

describe('modmesh build', () => {
  it('prints a config mistake with its code, the field and what to write, and exits 1', async () => {
    const { dir } = createRemoteProject({ expose: { './greeting': './src/greeting.ts' }, exposes: undefined });
    const result = await runScript({ script: cli, args: ['build', dir], deadlineMs: BUILD_DEADLINE_MS });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error MODMESH_CONFIG_INVALID: ');
    expect(result.stderr).toContain('expose: unknown key');
    expect(result.stderr).toContain("hint: Did you mean 'exposes'?");
  });

  it(
    'builds with rspack and reports each target as JSON',
    async () => {
      const { dir } = createRemoteProject();
      const result = await runScript({ script: cli, args: ['build', '--bundler', 'rspack', '--json'], cwd: dir, deadlineMs: BUILD_DEADLINE_MS });
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { bundler: string; outDir: string; targets: { target: string; files: number }[] };
      expect(report).toMatchObject({ bundler: 'rspack', outDir: path.join(dir, 'dist/release') });
      expect(report.targets.map((target) => target.target)).toEqual(['node', 'web']);
      expect(readdirSync(path.join(dir, 'dist/release/node'))).toContain('remoteEntry.js');
    },
    BUILD_DEADLINE_MS,
  );

  describe('--watch', () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
    });

    it(
      'rebuilds on a change of a source until interrupted, then exits 0 leaving the last release',
      async () => {
        const { dir, setGreeting } = createRemoteProject({ targets: ['node'] });
        child = spawn(process.execPath, [cli, 'build', '--watch', '--bundler', 'rspack'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
        });
        child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
        });
        const builds = (): string[] => stdout.split('\n').filter((line) => line.startsWith('built greeter'));
        const entry = path.join(dir, 'dist/release/node/modmesh-build.json');
        await pollUntil('the first build', async () => (builds().length === 1 ? true : undefined), { deadlineMs: BUILD_DEADLINE_MS });
        const first = JSON.parse(readFileSync(entry, 'utf8')).buildId;

        setGreeting('welcome');
        await pollUntil('a rebuild', async () => (builds().length === 2 ? true : undefined), { deadlineMs: BUILD_DEADLINE_MS });
        expect(JSON.parse(readFileSync(entry, 'utf8')).buildId).not.toBe(first);
        const chunk = readdirSync(path.join(dir, 'dist/release/node')).find((name) => name.startsWith('__federation_expose_greeting') && name.endsWith('.js'));
        expect(readFileSync(path.join(dir, 'dist/release/node', chunk ?? ''), 'utf8')).toContain('welcome ');

        // A broken source is reported and the release keeps the last good build.
        writeFileSync(path.join(dir, 'src/greeting.ts'), 'export function greet(: string {\n');
        await pollUntil('the failure reported', async () => (stderr.includes('error MODMESH_BUILD_FAILED') ? true : undefined), {
          deadlineMs: BUILD_DEADLINE_MS,
        });
        expect(readFileSync(path.join(dir, 'dist/release/node', chunk ?? ''), 'utf8')).toContain('welcome ');

        child.kill('SIGINT');
        const [code] = await once(child, 'exit');
        expect(code).toBe(0);
        expect(readdirSync(path.join(dir, 'dist'))).toEqual(['release']);
      },
      BUILD_DEADLINE_MS,
    );
  });
});
