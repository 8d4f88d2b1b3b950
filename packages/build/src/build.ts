import { rmSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import { ModmeshError, RELEASE_TARGET_DIRS } from '@modmesh/manifest';
import type { Configuration } from 'webpack';
import { buildProblems, formatProblems, type StatsError } from './build-errors.js';
import { BUNDLERS, type Bundler, createBundlerConfig } from './bundler-config.js';
import type { Target } from './config-schema.js';
import { loadConfig } from './load-config.js';
import type { ResolvedConfig, ResolvedTarget } from './resolve-config.js';
import { createStaging, describeContainer, moveIntoRelease } from './staging.js';

export interface BuildOptions {
  /** The project: where modmesh.config.ts is. */
  dir: string;
  /** The config file, when not one of modmesh.config.{ts,mts,js,mjs} in `dir`. */
  config?: string;
  /** @default "webpack" */
  bundler?: Bundler;
  /** Build only these of the config's targets; the release's other target directories are left as they are. @default all */
  targets?: Target[];
  /** The release directory, instead of the config's outDir (relative to `dir`). */
  outDir?: string;
}

export interface TargetResult {
  target: Target;
  /** The container's directory in the release: `OUT_DIR/node` or `OUT_DIR/web`. */
  dir: string;
  buildId: string;
  files: number;
  bytes: number;
}

export interface BuildResult {
  name: string;
  outDir: string;
  bundler: Bundler;
  bundlerVersion: string;
  targets: TargetResult[];
  /** From the start of the compile to the release in place. */
  ms: number;
  /** The bundler's warnings, as text (empty when there were none). */
  warnings: string;
}

/** Told of each build of `watchRelease`. */
export interface WatchListener {
  onStart?(): void;
  /** The next build waits for a promise it returns (a publish of this one, say); it must not reject. */
  onBuild(result: BuildResult): void;
  onError(error: ModmeshError): void;
}

export interface ReleaseWatcher {
  /** Stops watching; the release directory keeps the last good build. */
  close(): Promise<void>;
}

/**
 * Builds every target of a project's modmesh config (or `targets`) with webpack 5 or rspack into
 * its release directory. The compilers write to a staging directory beside it; each target's
 * directory is renamed into place only when every target compiled, so a failed or interrupted
 * build leaves the previous release as it was (a reader sees the old directory or the new one,
 * never half of one). The same sources give byte-identical output.
 *
 * @example
 * const result = await buildRelease({ dir: 'examples/auth-service', bundler: 'rspack' });
 */
export async function buildRelease(options: BuildOptions): Promise<BuildResult> {
  const plan = await prepare(options);
  const started = performance.now();
  const staging = createStaging(plan.outDir);
  try {
    const compiler = plan.api.create(plan.targets.map((target) => createBundlerConfig(plan.config, target, plan.bundler, staging)));
    const stats = await new Promise<Stats>((resolve, reject) => compiler.run((error, result) => (error || !result ? reject(error) : resolve(result))));
    await new Promise<void>((resolve) => compiler.close(() => resolve()));
    if (stats.hasErrors()) throw buildFailed(plan, stats);
    return install(plan, staging, started, stats);
  } catch (error) {
    throw error instanceof ModmeshError ? error : buildFailed(plan, undefined, error);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Builds as `buildRelease` does, then again each time a file changes in the directory of an
 * exposed module (and below it) or beside the config (modmesh.config.ts, tsconfig.json,
 * package.json); dot-files and the release itself are not watched. Each rebuild is a whole
 * `buildRelease`: the config is read again, the build id follows the sources, and the release is
 * replaced the same way. A failed build is reported and leaves the last good release in place.
 */
export async function watchRelease(options: BuildOptions, listener: WatchListener): Promise<ReleaseWatcher> {
  const first = await prepare(options);
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const rebuild = (): void => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    listener.onStart?.();
    running = buildRelease(options)
      .then(listener.onBuild, (error) => listener.onError(error instanceof ModmeshError ? error : buildFailed(first, undefined, error)))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          rebuild();
        }
      });
  };
  const watchers = watchedDirs(first).map(([dir, recursive]) =>
    watch(dir, { recursive }, (_event, name) => {
      const file = path.join(dir, String(name ?? ''));
      if (!name || isIgnored(path.relative(dir, file), file, first.outDir)) return;
      clearTimeout(timer);
      timer = setTimeout(rebuild, WATCH_DEBOUNCE_MS);
    }),
  );
  rebuild();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      await running;
    },
  };
}

// --- internal ---

// How long the watcher waits after a change for more before it rebuilds (an editor saving
// several files at once, a formatter rewriting them).
const WATCH_DEBOUNCE_MS = 150;
// The bundler's error output kept in a MODMESH_BUILD_FAILED message.
const MAX_ERROR_TEXT = 6000;

interface Stats {
  hasErrors(): boolean;
  hasWarnings(): boolean;
  toString(options: object): string;
  toJson(options: object): { errors?: StatsError[] };
}

interface MultiCompilerLike {
  run(callback: (error: Error | null, stats?: Stats) => void): void;
  close(callback: () => void): void;
}

interface BundlerApi {
  version: string;
  create(configs: Configuration[]): MultiCompilerLike;
}

interface Plan {
  config: ResolvedConfig;
  targets: ResolvedTarget[];
  bundler: Bundler;
  api: BundlerApi;
  outDir: string;
}

async function prepare(options: BuildOptions): Promise<Plan> {
  const bundler = options.bundler ?? 'webpack';
  if (!BUNDLERS.includes(bundler)) {
    throw new ModmeshError('MODMESH_USAGE', `the bundler must be ${BUNDLERS.join(' or ')}, not ${JSON.stringify(bundler)}`, {
      hint: 'Use --bundler webpack or --bundler rspack.',
    });
  }
  const config = await loadConfig({ dir: options.dir, ...(options.config && { file: options.config }) });
  const outDir = options.outDir ? path.resolve(options.dir, options.outDir) : config.outDir;
  const targets = options.targets?.length ? options.targets.map((name) => targetOf(config, name)) : config.targets;
  return { config: { ...config, outDir }, targets, bundler, api: await loadBundler(bundler), outDir };
}

function targetOf(config: ResolvedConfig, name: Target): ResolvedTarget {
  const found = config.targets.find((target) => target.target === name);
  if (!found) {
    throw new ModmeshError(
      'MODMESH_USAGE',
      `${config.file ?? config.dir} has no ${name} target (it builds ${config.targets.map((target) => target.target).join(', ')})`,
      {
        hint: `Leave out --target, or add '${name}' to the config's targets.`,
      },
    );
  }
  return found;
}

async function loadBundler(bundler: Bundler): Promise<BundlerApi> {
  try {
    if (bundler === 'rspack') {
      const { rspack } = await import('@rspack/core');
      return { version: rspack.rspackVersion, create: (configs) => rspack(configs as never) as unknown as MultiCompilerLike };
    }
    const { default: webpack } = await import('webpack');
    return { version: webpack.version, create: (configs) => webpack(configs) as unknown as MultiCompilerLike };
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException)?.code !== 'ERR_MODULE_NOT_FOUND') throw cause;
    const install = bundler === 'rspack' ? '@rspack/core@2.2.9' : 'webpack@5.111.1';
    throw new ModmeshError('MODMESH_USAGE', `${bundler} is not installed where @modmesh/build can find it`, {
      hint: `Install it in the project: npm install --save-dev ${install}`,
      cause,
    });
  }
}

// The config's directory itself (not below it: node_modules), and each exposed module's
// directory with everything below it; none inside another that is watched below it.
function watchedDirs(plan: Plan): [string, boolean][] {
  const below = new Set<string>();
  for (const target of plan.config.targets) {
    for (const file of Object.values(target.exposes)) {
      const dir = path.dirname(path.resolve(plan.config.dir, file));
      if (dir !== plan.config.dir) below.add(dir);
    }
  }
  const outermost = [...below].filter((dir) => ![...below].some((other) => other !== dir && isInside(dir, other)));
  return [[plan.config.dir, false], ...outermost.map((dir): [string, boolean] => [dir, true])];
}

// Dot-files, the release, and directories: a directory appearing beside the config (dist/,
// made by this very build) is no change of a source; the files in a watched one are.
function isIgnored(relative: string, file: string, outDir: string): boolean {
  return relative.split(path.sep).some((part) => part.startsWith('.')) || isInside(file, outDir) || isDirectory(file);
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function targetDir(target: ResolvedTarget): string {
  return RELEASE_TARGET_DIRS[target.target];
}

// Moves each target's directory from `from` into the release and describes it.
function install(plan: Plan, from: string, started: number, stats: Stats): BuildResult {
  const dirs = plan.targets.map(targetDir);
  moveIntoRelease(from, plan.outDir, dirs);
  return {
    name: plan.config.name,
    outDir: plan.outDir,
    bundler: plan.bundler,
    bundlerVersion: plan.api.version,
    targets: plan.targets.map((target) => ({ target: target.target, ...describeContainer(path.join(plan.outDir, targetDir(target))) })),
    ms: Math.round(performance.now() - started),
    warnings: stats.hasWarnings() ? stats.toString({ all: false, warnings: true, colors: false }).trim() : '',
  };
}

// Each error's file and line first (what an editor jumps to), then the bundler's own report.
function buildFailed(plan: Plan, stats?: Stats, cause?: unknown): ModmeshError {
  const text = stats ? stats.toString({ all: false, errors: true, colors: false }).trim() : String((cause as Error)?.message ?? cause);
  const problems = stats ? buildProblems(stats.toJson({ all: false, errors: true }).errors ?? [], plan.config.dir) : [];
  const summary = problems.length > 0 ? `${formatProblems(problems)}\n\n` : '';
  return new ModmeshError(
    'MODMESH_BUILD_FAILED',
    `${plan.config.name}: the ${plan.bundler} build failed; ${plan.outDir} was left as it was:\n${summary}${text.slice(0, MAX_ERROR_TEXT)}`,
    { remote: plan.config.name, ...(problems[0]?.file && { file: problems[0].file }), ...(cause !== undefined && { cause }) },
  );
}
