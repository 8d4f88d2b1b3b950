// Types across the boundary and the contract gate, as users run them: a remote built by
// `modmesh build` (its declarations in the release), published by `modmesh publish` to a
// registry process; a host that pulls the declarations with `modmesh types pull` and is type
// checked against them by the TypeScript compiler; and publishes that break the contract refused
// with their list, while compatible ones go through.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient } from '@modmesh/api';
import { createMesh } from '@modmesh/runtime';
import {
  type CliPublisher,
  type CliRegistry,
  createRemoteProject,
  freePort,
  pollUntil,
  type RemoteProject,
  removeRemoteProjects,
  repoRoot,
  requireCompiled,
  type ScriptResult,
  startCliRegistry,
  stopAllServices,
} from '@modmesh/test-utils';
import jwt from 'jsonwebtoken';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const STEP_MS = 120_000;
const JWT_VERSION = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/jsonwebtoken/package.json'), 'utf8')).version as string;

// Version 1.0.0 of the remote's one exposed module; jsonwebtoken is shared with the host.
const GREETING = `import jwt from 'jsonwebtoken';
export interface Greeting {
  text: string;
  lang: string;
}
export function greet(name: string): Greeting {
  return { text: 'hello ' + name, lang: 'en' };
}
export const VERSION = 1;
export function subjectOf(token: string): string | undefined {
  const claims = jwt.decode(token);
  return typeof claims === 'object' && claims !== null && typeof claims.sub === 'string' ? claims.sub : undefined;
}
`;

const work = mkdtempSync(path.join(os.tmpdir(), 'modmesh-contract-'));
let registry: CliRegistry;
let publisher: CliPublisher;
let project: RemoteProject;

beforeAll(async () => {
  requireCompiled('packages/cli/dist/index.js');
  requireCompiled('packages/runtime/dist/index.js');
  registry = await startCliRegistry(work);
  publisher = await registry.addPublisher('greeter');
  project = createRemoteProject({ targets: ['node'], defines: {}, shared: { jsonwebtoken: { requiredVersion: '^9.0.0' } } });
  await release(GREETING, '1.0.0', '--tag', 'stable');
}, STEP_MS);

afterAll(async () => {
  await stopAllServices();
  removeRemoteProjects();
  rmSync(work, { recursive: true, force: true });
});

/** Writes the module's source, builds the release with `modmesh build` and publishes it as `version`. */
async function release(source: string, version: string, ...more: string[]): Promise<ScriptResult> {
  await build(source);
  return publisher.publish(path.join(project.dir, 'dist/release'), version, ...more);
}

async function build(source: string, config?: Record<string, unknown>): Promise<void> {
  writeFileSync(path.join(project.dir, 'src/greeting.ts'), source);
  if (config) writeFileSync(path.join(project.dir, 'modmesh.config.ts'), `export default ${JSON.stringify(config, null, 2)};\n`);
  const built = await registry.modmesh(['build', project.dir, '--bundler', 'rspack']);
  expect(built.code, built.stderr).toBe(0);
}

async function versions(): Promise<string[]> {
  return (await createRegistryClient({ url: registry.url }).remote('greeter')).versions.map((entry) => entry.version);
}

/** A host project: its own tsconfig, the checkout's packages as it would have them installed. */
function hostProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(work, 'host-'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'host', private: true, type: 'module' }));
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    allowJs: true,
    checkJs: true,
    types: ['node'],
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src', 'modmesh-types'] }));
  mkdirSync(path.join(dir, 'src'));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, 'src', file), text);
  return dir;
}

/** The host's type errors, as `tsc -p` reports them: "file(line): TScode message". */
function typeErrors(dir: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('no tsconfig');
  const program = ts.createProgram(config.fileNames, config.options);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => {
      const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
      const file = diagnostic.file ? path.relative(dir, diagnostic.file.fileName) : '';
      return `${file}(${where ? where.line + 1 : 0}): TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    })
    .sort();
}

function pull(dir: string, args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> {
  return registry.modmesh(['types', 'pull', ...args], {
    MODMESH_TRUST_GREETER: publisher.publicKey,
    MODMESH_CACHE_DIR: path.join(dir, '.modmesh/cache'),
    ...env,
  });
}

const MESH = `import { createMesh } from '@modmesh/runtime';
export const mesh = createMesh({ registry: 'http://127.0.0.1:1', remotes: { greeter: 'greeter@stable' }, trust: { greeter: ['ed25519:...'] } });
`;

describe('types across the boundary', () => {
  it(
    'are pulled for a host, whose calls of the remote through the runtime and a stock import are type checked: a wrong call is a type error',
    async () => {
      const dir = hostProject({
        'mesh.ts': MESH,
        'main.ts': `import { mesh } from './mesh.js';
const { greet } = await mesh.import('greeter/greeting');
const text: string = greet('ada').text;
const live = mesh.live('greeter/greeting');
const lang: string | undefined = live.current()?.greet('grace').lang;
const stock = await import('greeter/greeting');
export const all = [text, lang, stock.greet('alan').text];
`,
        'stock.cjs': `// @ts-check
const { greet } = require('greeter/greeting');
module.exports = { text: greet('ada').text };
`,
      });
      const out = await pull(dir, ['greeter@stable', '--out', path.join(dir, 'modmesh-types')]);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/greeter\s+greeter@stable\s+1\.0\.0 \(new\)/);
      expect(typeErrors(dir)).toEqual([]);

      writeFileSync(
        path.join(dir, 'src/wrong.ts'),
        `import { mesh } from './mesh.js';
const { greet } = await mesh.import('greeter/greeting');
greet(42);
const stock = await import('greeter/greeting');
export const lang: number = stock.greet('ada').lang;
`,
      );
      writeFileSync(path.join(dir, 'src/wrong-stock.cjs'), `// @ts-check\nconst { greet } = require('greeter/greeting');\ngreet();\n`);
      expect(typeErrors(dir)).toEqual([
        'src/wrong-stock.cjs(3): TS2554 Expected 1 arguments, but got 0.',
        "src/wrong.ts(3): TS2345 Argument of type 'number' is not assignable to parameter of type 'string'.",
        "src/wrong.ts(5): TS2322 Type 'string' is not assignable to type 'number'.",
      ]);
    },
    STEP_MS,
  );

  it(
    'say when they are older than the release the spec resolves to, and are pulled again offline from the verified cache',
    async () => {
      const dir = hostProject({
        'mesh.ts': MESH,
        'main.ts': "import { mesh } from './mesh.js';\nexport const text: string = (await mesh.import('greeter/greeting')).greet('ada').text;\n",
      });
      const out = path.join(dir, 'modmesh-types');
      expect((await pull(dir, ['greeter@stable', '--out', out])).code).toBe(0);
      const compatible = await release(`${GREETING}export function farewell(name: string): string {\n  return 'bye ' + name;\n}\n`, '1.1.0', '--tag', 'stable');
      expect(compatible.code, compatible.stderr).toBe(0);

      const check = await pull(dir, ['--check', '--out', out]);
      expect(check.code).toBe(1);
      expect(check.stderr).toContain('error MODMESH_TYPES_STALE: ');
      expect(check.stderr).toContain('greeter: types from 1.0.0, greeter@stable is 1.1.0');

      // The registry gone (a port nothing listens on): what the last pull fetched and verified is in the cache.
      const down = `http://127.0.0.1:${await freePort()}`;
      const offline = await pull(dir, ['--out', out, '--registry', down]);
      expect(offline.code, offline.stderr).toBe(0);
      expect(offline.stderr).toContain('the registry cannot be reached (MODMESH_REMOTE_UNREACHABLE); reading the verified cache');
      expect(offline.stdout).toMatch(/1\.0\.0 \(up to date\)\s+from the verified cache/);

      const updated = await pull(dir, ['--out', out]);
      expect(updated.stdout).toMatch(/1\.0\.0 → 1\.1\.0 \(the types were older\)/);
      writeFileSync(
        path.join(dir, 'src/bye.ts'),
        "import { mesh } from './mesh.js';\nexport const bye: string = (await mesh.import('greeter/greeting')).farewell('ada');\n",
      );
      expect(typeErrors(dir)).toEqual([]);
      expect((await pull(dir, ['--check', '--out', out])).code).toBe(0);
    },
    STEP_MS,
  );
});

describe('the contract gate', () => {
  const current = `${GREETING}export function farewell(name: string): string {\n  return 'bye ' + name;\n}\n`;

  async function expectRefused(source: string, version: string, lines: string[]): Promise<void> {
    const before = await versions();
    const result = await release(source, version);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stderr).toContain(`error MODMESH_CONTRACT_BREAK: greeter@${version} breaks the contract of greeter@1.1.0`);
    for (const line of lines) expect(result.stderr).toContain(line);
    expect(await versions()).toEqual(before);
  }

  it(
    'refuses a removed export, a changed parameter and a result that promises less, each in its list; nothing is published',
    async () => {
      await expectRefused(current.replace('export const VERSION = 1;\n', ''), '1.2.0', ['  ./greeting VERSION\n      was  1\n      now  (removed)']);
      await expectRefused(current.replace('greet(name: string)', 'greet(name: string, lang: string)').replace("lang: 'en'", 'lang'), '1.2.0', [
        '  ./greeting greet\n      was  (name: string) => Greeting\n      now  (name: string, lang: string) => Greeting\n      why  ',
      ]);
      await expectRefused(current.replace('farewell(name: string): string', 'farewell(name: string): string | undefined'), '1.2.0', [
        '  ./greeting farewell\n      was  (name: string) => string\n      now  (name: string) => string | undefined\n',
      ]);
      await expectRefused(current.replace('  lang: string;\n', '').replace(", lang: 'en'", ''), '1.2.0', [
        "  ./greeting Greeting\n      was  { text: string; lang: string }\n      now  { text: string }\n      why  Property 'lang' is missing",
      ]);
    },
    STEP_MS,
  );

  it(
    'refuses a shared range that leaves out what the hosts running the remote provide, from their reports',
    async () => {
      const mesh = createMesh({
        registry: registry.url,
        remotes: { greeter: 'greeter@stable' },
        trust: { greeter: [publisher.publicKey] },
        cacheDir: path.join(work, 'host-cache'),
        service: 'user-service',
        shared: { jsonwebtoken: { version: JWT_VERSION, lib: () => jwt } },
        log: () => {},
      });
      try {
        await mesh.import('greeter/greeting', { deadlineMs: 20_000 });
        const client = createRegistryClient({ url: registry.url });
        await pollUntil('the host reported what it provides', async () =>
          (await client.consumers('greeter')).consumers.some((consumer) => consumer.shared?.some((each) => each.name === 'jsonwebtoken')) ? true : undefined,
        );
        await build(current, {
          name: 'greeter',
          exposes: { './greeting': './src/greeting.ts' },
          targets: ['node'],
          shared: { jsonwebtoken: { requiredVersion: '^10.0.0' } },
        });
        const before = await versions();
        const result = await publisher.publish(path.join(project.dir, 'dist/release'), '1.2.0');
        expect(result.code, result.stdout).toBe(1);
        expect(result.stderr).toContain(`  shared jsonwebtoken: requires ^10.0.0 (was ^9.0.0), but user-service provides ${JWT_VERSION}`);
        expect(await versions()).toEqual(before);
      } finally {
        await mesh.close();
      }
    },
    STEP_MS,
  );

  it(
    'accepts an added export and a wider parameter, and a break as a new major; modmesh check says the same offline',
    async () => {
      await build(current, {
        name: 'greeter',
        exposes: { './greeting': './src/greeting.ts' },
        targets: ['node'],
        shared: { jsonwebtoken: { requiredVersion: '^9.0.0' } },
      });
      const previous = path.join(work, 'previous-release');
      const copied = await registry.modmesh(['build', project.dir, '--bundler', 'rspack', '--out', previous]);
      expect(copied.code, copied.stderr).toBe(0);

      const wider = current
        .replace('greet(name: string)', 'greet(name: string | string[], lang = "en")')
        .replace("'hello ' + name, lang: 'en'", "'hello ' + String(name), lang");
      const accepted = await release(`${wider}export const decode = (token: string): string => token;\n`, '1.2.0');
      expect(accepted.code, accepted.stderr).toBe(0);
      expect(accepted.stderr).toContain('contract kept: compared with greeter@1.1.0; added ./greeting: decode');

      const breaking = wider.replace('export const VERSION = 1;\n', '');
      await build(breaking);
      const offline = await registry.modmesh(['check', path.join(project.dir, 'dist/release'), '--against', previous]);
      expect(offline.code).toBe(1);
      expect(offline.stderr).toContain('error MODMESH_CONTRACT_BREAK: this build breaks the contract of the release in ');
      expect(offline.stderr).toContain('  ./greeting VERSION\n      was  1\n      now  (removed)');
      const major = await publisher.publish(path.join(project.dir, 'dist/release'), '2.0.0');
      expect(major.code, major.stderr).toBe(0);
      expect(await versions()).toEqual(expect.arrayContaining(['1.2.0', '2.0.0']));
    },
    STEP_MS,
  );
});
