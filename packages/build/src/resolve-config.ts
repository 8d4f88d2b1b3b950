import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ModmeshError, REMOTE_NAME, REMOTE_NAME_RULE } from '@modmesh/manifest';
import * as z from 'zod/mini';
import { type ConfigIssue, fieldOf, schemaIssue } from './config-issues.js';
import { configSchema, type DefineValue, jsonValue, type ModmeshConfig, TARGETS, type Target } from './config-schema.js';

/** A shared package as Module Federation is given it: every default filled in. */
export interface ResolvedShared {
  singleton: boolean;
  requiredVersion: string | false;
  version: string;
  strictVersion?: boolean;
  eager?: boolean;
}

export type Defines = Record<string, DefineValue>;

/** One container to build: what it exposes and shares, for one target. */
export interface ResolvedTarget {
  target: Target;
  exposes: Record<string, string>;
  shared: Record<string, ResolvedShared>;
  /** Evaluated when this target is built (a function in the config runs only then). */
  defines(): Defines;
}

/** A checked modmesh config with its defaults; paths are absolute. */
export interface ResolvedConfig {
  name: string;
  /** The project directory: exposes and the output are relative to it. */
  dir: string;
  /** The config file, when it came from one (named in errors). */
  file: string | undefined;
  outDir: string;
  tsconfig: string | undefined;
  sourceMaps: boolean;
  /** Whether each container gets the declarations of its exposed modules. */
  types: boolean;
  targets: ResolvedTarget[];
}

/** Where the release goes unless the config says otherwise. */
export const DEFAULT_OUT_DIR = 'dist/release';
const DEFAULT_TARGETS: Target[] = ['node'];
// What an expose may be written without: webpack resolves these.
const SOURCE_EXTENSIONS = ['', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js'];
const EXPOSE_KEY = /^\.\/[\w./-]+$/;
// A browser container is a `var` global named after the remote: a JavaScript identifier.
const WEB_NAME = /^[a-z][a-z0-9_]*$/;
// Common ways of writing a target that mean one of ours.
const TARGET_ALIASES: Record<string, Target> = { browser: 'web', client: 'web', 'async-node': 'node', server: 'node' };

/**
 * Checks a modmesh config and fills in its defaults: the schema first, then the rules that need
 * the disk (each expose's file exists, each shared package is installed). Every problem is
 * collected; one `MODMESH_CONFIG_INVALID` names them all, field by field, with what to write.
 */
export function resolveConfig(input: unknown, options: { dir: string; file?: string }): ResolvedConfig {
  const { value, issues } = checkConfig(input, options);
  if (!value || issues.length > 0) throw configError(issues, options);
  return value;
}

/** The pipeline without the throw: `{ value, issues }`, value undefined when the schema refused it. */
export function checkConfig(input: unknown, options: { dir: string; file?: string }): { value: ResolvedConfig | undefined; issues: ConfigIssue[] } {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) return { value: undefined, issues: parsed.error.issues.flatMap(schemaIssue) };
  const config = parsed.data;
  const dir = path.resolve(options.dir);
  const issues: ConfigIssue[] = [];
  const targets = targetList(config.targets, issues);
  checkName(config.name, targets, issues);
  const outDir = path.resolve(dir, config.outDir ?? DEFAULT_OUT_DIR);
  if (dir === outDir || !path.relative(outDir, dir).startsWith('..')) {
    issues.push({
      field: 'outDir',
      message: `${JSON.stringify(config.outDir)} would put the release over the project itself`,
      hint: `Write outDir: '${DEFAULT_OUT_DIR}'.`,
    });
  }
  const tsconfig = config.tsconfig === undefined ? optionalFile(path.join(dir, 'tsconfig.json')) : path.resolve(dir, config.tsconfig);
  if (config.tsconfig !== undefined && !isFile(tsconfig ?? '')) {
    issues.push({
      field: 'tsconfig',
      message: `${config.tsconfig} does not exist in ${dir}`,
      hint: 'Name a tsconfig file relative to the config, or leave tsconfig out.',
    });
  }

  const installed = new Map<string, string | undefined>();
  const resolvedTargets = targets.map(({ target, options: own }) => {
    const prefix = typeof config.targets === 'object' && !Array.isArray(config.targets) && own ? `targets.${target}.` : '';
    const exposes = { ...config.exposes, ...own?.exposes };
    for (const [key, file] of Object.entries(exposes)) checkExpose(dir, key, file, own?.exposes && key in own.exposes ? `${prefix}exposes` : 'exposes', issues);
    if (Object.keys(exposes).length === 0) {
      issues.push({
        field: prefix ? `${prefix}exposes` : 'exposes',
        message: `the ${target} container exposes nothing`,
        hint: "Add the modules other services import, e.g. exposes: { './greeting': './src/greeting.ts' }.",
      });
    }
    const shared = {
      ...sharedOf(dir, config.shared, 'shared', installed, issues),
      ...sharedOf(dir, own?.shared, `${prefix}shared`, installed, issues),
    };
    return { target, exposes, shared, defines: definesOf(config.defines, own?.defines, target) };
  });
  return {
    value: {
      name: config.name,
      dir,
      file: options.file,
      outDir,
      tsconfig,
      sourceMaps: config.sourceMaps ?? true,
      types: config.types ?? true,
      targets: resolvedTargets,
    },
    // A top-level expose or shared package is checked for each target: said once.
    issues: issues.filter((issue, index) => issues.findIndex((other) => other.field === issue.field && other.message === issue.message) === index),
  };
}

/** The error for a list of issues: every field in the message, the first one's hint. */
export function configError(issues: ConfigIssue[], options: { dir: string; file?: string }): ModmeshError {
  const relative = options.file ? path.relative(process.cwd(), options.file) : '';
  const where = options.file ? (relative && !relative.startsWith('..') ? relative : options.file) : `the modmesh config in ${options.dir}`;
  const list = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return new ModmeshError('MODMESH_CONFIG_INVALID', `${where}: ${list}`, {
    ...(options.file && { file: options.file }),
    hint: issues.find((issue) => issue.hint)?.hint ?? 'Fix the fields named above; see the options of defineConfig in @modmesh/build.',
  });
}

// --- internal ---

type RawConfig = z.output<typeof configSchema>;
type RawTargetOptions = Exclude<NonNullable<RawConfig['targets']> extends infer T ? (T extends Record<string, infer V> ? V : never) : never, true>;

function targetList(targets: RawConfig['targets'], issues: ConfigIssue[]): { target: Target; options: RawTargetOptions | undefined }[] {
  if (targets === undefined) return DEFAULT_TARGETS.map((target) => ({ target, options: undefined }));
  const entries: [string, RawTargetOptions | undefined][] = Array.isArray(targets)
    ? targets.map((name) => [name, undefined])
    : Object.entries(targets).map(([name, value]) => [name, value === true ? undefined : value]);
  const found: { target: Target; options: RawTargetOptions | undefined }[] = [];
  for (const [index, [name, options]] of entries.entries()) {
    const field = Array.isArray(targets) ? `targets[${index}]` : `targets.${name}`;
    if (!(TARGETS as readonly string[]).includes(name)) {
      const meant = TARGET_ALIASES[name];
      issues.push({
        field,
        message: `${JSON.stringify(name)} is not a target`,
        hint: meant ? `Write '${meant}' (targets are ${TARGETS.join(' and ')}).` : `Targets are ${TARGETS.map((each) => `'${each}'`).join(' and ')}.`,
      });
      continue;
    }
    if (!found.some((each) => each.target === name)) found.push({ target: name as Target, options });
  }
  if (entries.length === 0) issues.push({ field: 'targets', message: 'no target to build', hint: "Write targets: ['node'], ['web'] or ['node', 'web']." });
  return found;
}

function checkName(name: string, targets: { target: Target }[], issues: ConfigIssue[]): void {
  if (!REMOTE_NAME.test(name)) {
    const suggestion = suggestName(name);
    issues.push({ field: 'name', message: `${JSON.stringify(name)} is not a remote name: ${REMOTE_NAME_RULE}`, hint: `Write name: '${suggestion}'.` });
  } else if (targets.some(({ target }) => target === 'web') && !WEB_NAME.test(name)) {
    issues.push({
      field: 'name',
      message: `${JSON.stringify(name)} cannot name a browser container, which is a JavaScript global: lowercase letters, digits and '_' only`,
      hint: `Write name: '${name.replace(/[^a-z0-9_]/g, '_')}'.`,
    });
  }
}

function suggestName(name: string): string {
  const cleaned = name
    .replace(/^@[^/]*\//, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.\.+/g, '.')
    .replace(/^[^a-z]+/, '')
    .slice(0, 64);
  return cleaned || 'my-remote';
}

function checkExpose(dir: string, key: string, file: string, field: string, issues: ConfigIssue[]): void {
  const at = `${field}[${JSON.stringify(key)}]`;
  if (!EXPOSE_KEY.test(key)) {
    const bare = key.replace(/^\.?\/*/, '');
    issues.push({
      field: at,
      message: `${JSON.stringify(key)} is not an exposed module's name`,
      hint: `Write '${bare ? `./${bare}` : './name'}': the name hosts import it by, starting with ./.`,
    });
    return;
  }
  const full = path.resolve(dir, file);
  if (!SOURCE_EXTENSIONS.some((extension) => isFile(full + extension))) {
    issues.push({
      field: at,
      message: `${file} does not exist in ${dir}`,
      hint: `Write the path of the module's source file, relative to the config (e.g. './src/${key.slice(2)}.ts').`,
    });
  }
}

function sharedOf(
  dir: string,
  shared: RawConfig['shared'],
  field: string,
  installed: Map<string, string | undefined>,
  issues: ConfigIssue[],
): Record<string, ResolvedShared> {
  if (shared === undefined) return {};
  const entries = Array.isArray(shared) ? shared.map((name) => [name, true] as const) : Object.entries(shared);
  const result: Record<string, ResolvedShared> = {};
  for (const [name, options] of entries) {
    const given = options === true ? {} : options;
    if (!installed.has(name)) installed.set(name, installedVersion(dir, name));
    const version = given.version ?? installed.get(name);
    if (version === undefined) {
      issues.push({
        field: `${field}[${JSON.stringify(name)}]`,
        message: `${name} is not installed in ${dir}`,
        hint: `Install it (npm install ${name}) or remove it from shared.`,
      });
      continue;
    }
    result[name] = {
      singleton: given.singleton ?? true,
      requiredVersion: given.requiredVersion ?? caretOf(version),
      version,
      ...(given.strictVersion !== undefined && { strictVersion: given.strictVersion }),
      ...(given.eager !== undefined && { eager: given.eager }),
    };
  }
  return result;
}

// The version of `name` in the nearest node_modules above `dir`, the way Node finds it (read
// from its package.json directly: a package's `exports` may hide its package.json).
function installedVersion(dir: string, name: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    const file = path.join(current, 'node_modules', name, 'package.json');
    if (existsSync(file)) {
      try {
        const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
        return typeof version === 'string' ? version : undefined;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(current) === current) return undefined;
  }
}

// `^9.0.0` for 9.0.3: any later release of the same major. For 0.x, the same minor.
function caretOf(version: string): string {
  const [major = '0', minor = '0'] = version.split('.');
  return major === '0' ? `~0.${minor}.0` : `^${major}.0.0`;
}

function definesOf(top: RawConfig['defines'], own: RawConfig['defines'], target: Target): () => Defines {
  return function defines() {
    return { ...evaluate(top, 'defines', target), ...evaluate(own, `targets.${target}.defines`, target) };
  };
}

function evaluate(defines: RawConfig['defines'], field: string, target: Target): Defines {
  if (typeof defines !== 'function') return defines ?? {};
  let value: unknown;
  try {
    value = defines();
  } catch (cause) {
    const code = (cause as { code?: unknown })?.code;
    throw new ModmeshError(
      'MODMESH_CONFIG_INVALID',
      `${field} (for the ${target} build) threw: ${typeof code === 'string' ? `${code}: ` : ''}${(cause as Error)?.message ?? cause}`,
      {
        hint: (cause as { hint?: string })?.hint ?? 'Fix what the message says; the function runs each time that target is built.',
        cause,
      },
    );
  }
  const parsed = z.record(z.string(), jsonValue).safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new ModmeshError(
      'MODMESH_CONFIG_INVALID',
      `${field} (for the ${target} build) returned ${issue?.path.length ? `a ${fieldOf(issue.path)} that is not a JSON value` : 'something other than an object of constants'}`,
      { hint: 'Return an object whose values are strings, numbers, booleans, null, arrays or objects.' },
    );
  }
  return parsed.data;
}

function optionalFile(file: string): string | undefined {
  return isFile(file) ? file : undefined;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export type { ConfigIssue, ModmeshConfig };
