import realFs from 'node:fs';
import * as nodeModule from 'node:module';
import path from 'node:path';
import realVm from 'node:vm';
import { ModmeshError } from '@modmesh/manifest';
import { type CodeCache, createCodeCache } from './code-cache.js';

/** The two functions every Module Federation container exposes. */
export interface FederationContainer {
  init(shareScope: unknown, initScope?: unknown, options?: unknown): unknown;
  get(expose: string): Promise<() => unknown>;
}

export interface EvaluateContainerOptions {
  /** The remote's name and version, for errors. */
  remote: string;
  version?: string;
  /** The directory the container believes it lives in; its chunks are looked up below it. */
  root: string;
  /** The entry file, relative to `root` (`remoteEntry.js`). */
  entry: string;
  /** Every file of the remote that was fetched and checked, by path relative to `root`. */
  files: ReadonlyMap<string, Buffer>;
  /** The container's name as its signed manifest declares it: which export to take when the entry exports several. */
  declaredName?: string;
  /** Told each file the container's code reads, entry first: what actually ran. */
  onEvaluate?: (file: string) => void;
  /** V8's compiled code of what was evaluated before. @default the process's, in memory */
  codeCache?: CodeCache;
  /** The signed SHA-256 of each file, by the same paths as `files`: what names its compiled code. */
  digests?: ReadonlyMap<string, string>;
}

// Node's own require, also when this file is bundled into a stock host by webpack (the runtime
// plugin is): webpack rewrites a literal `createRequire(import.meta.url)` into its own module
// lookup, which knows no Node built-in, so the function is looked up by a computed name.
const CREATE_REQUIRE = 'createRequire';
const requireFromHost = (nodeModule as unknown as Record<string, (from: string) => NodeJS.Require>)[CREATE_REQUIRE]?.(import.meta.url) as NodeJS.Require;

/**
 * Evaluates a remote's entry from checked, in-memory bytes and returns its container.
 *
 * The container's chunk loader (webpack's `async-node` target) reads chunks with the `fs` of the
 * `require` it is given, at `path.join(__dirname, chunk)`; with the `node` target it `require`s
 * them by relative path. It is given a `require` whose `fs` answers reads below `root` from
 * `files` only, and which answers relative requires from `files` only, so a chunk is never read
 * from disk or network unchecked, and a file planted where a chunk would be is never seen.
 */
export function evaluateContainer(options: EvaluateContainerOptions): FederationContainer {
  const filename = path.join(options.root, options.entry);
  const source = options.files.get(options.entry);
  if (!source) {
    throw new ModmeshError('MODMESH_CHUNK_NOT_IN_RELEASE', `${options.remote}: entry ${options.entry} is not among the fetched files`, {
      remote: options.remote,
      version: options.version,
      file: options.entry,
    });
  }

  options.onEvaluate?.(options.entry);
  const module = { exports: {} as unknown };
  try {
    const run = compileModule(source, filename, options, options.entry);
    run.call(module.exports, module.exports, createContainedRequire(options), module, filename, options.root);
  } catch (cause) {
    throw new ModmeshError(
      'MODMESH_REMOTE_EVALUATION_FAILED',
      `${options.remote}@${options.version ?? '?'}: ${options.entry} threw while being evaluated: ${(cause as Error)?.message ?? cause}`,
      {
        remote: options.remote,
        version: options.version,
        file: options.entry,
        cause,
      },
    );
  }

  return containerOf(module.exports, options);
}

// --- internal ---

// A file of the release as CommonJS sees it: a function of the module's variables. On one line
// with the source's first, so line numbers in stack traces stay the file's.
const MODULE_WRAPPER = ['(function (exports, require, module, __filename, __dirname) {', '\n})'] as const;
// Names the wrapper in a code cache identity: another wrapper, other characters.
const MODULE_WRAPPER_ID = 'commonjs-v1';

type ModuleFunction = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

function compileModule(source: Buffer, filename: string, options: EvaluateContainerOptions, relative: string): ModuleFunction {
  // The same verified bytes, decoded and wrapped the same way, are the same characters.
  const digest = options.digests?.get(relative);
  const identity = digest && `${MODULE_WRAPPER_ID}:utf8:${digest}`;
  const script = codeCacheOf(options).script(MODULE_WRAPPER[0] + source.toString('utf8') + MODULE_WRAPPER[1], filename, identity);
  return script.runInThisContext() as ModuleFunction;
}

let processCodeCache: CodeCache | undefined;

function codeCacheOf(options: EvaluateContainerOptions): CodeCache {
  if (options.codeCache) return options.codeCache;
  processCodeCache ??= createCodeCache();
  return processCodeCache;
}

const NODE_LIBRARY_HINT =
  "Build the remote for Node (target 'async-node') with @module-federation/enhanced or rspack's ModuleFederationPlugin, library type " +
  "'commonjs-module' or 'commonjs2' (with or without a library name); 'var', 'global', 'module' and other library types do not hand a Node host the container.";

/**
 * The container a stock build exports: `module.exports` itself (library type commonjs-module
 * without a name), or, with `library: { type: 'commonjs-module', name }`, `module.exports[name]`,
 * which is where stock Module Federation looks for it. Which export holds it is the build's
 * choice and changes nothing about trust: every byte was checked, and the host, not this name,
 * decides which remote the container answers for.
 */
function containerOf(exported: unknown, options: EvaluateContainerOptions): FederationContainer {
  if (isContainer(exported)) return exported;
  const named = exported !== null && typeof exported === 'object' ? Object.entries(exported as Record<string, unknown>) : [];
  const containers = named.filter(([, value]) => isContainer(value));
  const chosen = containers.length === 1 ? containers[0] : containers.find(([key]) => key === options.declaredName);
  if (chosen) return chosen[1] as FederationContainer;
  const found = named.length === 0 ? 'nothing' : named.map(([key]) => key).join(', ');
  throw new ModmeshError(
    'MODMESH_REMOTE_EVALUATION_FAILED',
    containers.length > 1
      ? `${options.remote}: ${options.entry} exports several Module Federation containers (${containers.map(([key]) => key).join(', ')}) and none is named ${options.declaredName ?? '(no name declared)'}`
      : `${options.remote}: ${options.entry} exports no Module Federation container (an object with init and get), neither as module.exports nor as one of its properties (it exports ${found})`,
    { remote: options.remote, version: options.version, file: options.entry, hint: NODE_LIBRARY_HINT },
  );
}

function isContainer(value: unknown): value is FederationContainer {
  const candidate = value as Partial<FederationContainer> | null | undefined;
  return (
    (typeof candidate === 'object' || typeof candidate === 'function') &&
    candidate !== null &&
    typeof candidate.init === 'function' &&
    typeof candidate.get === 'function'
  );
}

// The real `vm`, except that what the container's chunk loader runs (webpack's `async-node`
// target: `runInThisContext('(function (exports, require, ...) {' + chunk + '})')`, the chunk
// read through the contained fs) is compiled with the code cache: the chunk's compiled code is
// kept like the entry's.
function createContainedVm(options: EvaluateContainerOptions): typeof realVm {
  const runInThisContext = function runInThisContext(code: unknown, filename?: unknown): unknown {
    // Other uses (options of V8's, no file name) are the real vm's.
    if (typeof code !== 'string' || typeof filename !== 'string') return Reflect.apply(realVm.runInThisContext, realVm, [code, filename]);
    return codeCacheOf(options).script(code, filename).runInThisContext();
  };
  return new Proxy(realVm, {
    get(target, property, receiver) {
      if (property === 'runInThisContext') return runInThisContext;
      return Reflect.get(target, property, receiver);
    },
  });
}

type ReadCallback = (error: NodeJS.ErrnoException | null, data?: string | Buffer) => void;

function createContainedRequire(options: EvaluateContainerOptions): NodeJS.Require {
  const fs = createContainedFs(options);
  const vm = createContainedVm(options);
  const root = path.resolve(options.root);
  const fromRelease = new Map<string, unknown>();
  const containedRequire = function containedRequire(id: string): unknown {
    if (id === 'fs' || id === 'node:fs') return fs;
    if (id === 'vm' || id === 'node:vm') return vm;
    if (!id.startsWith('./') && !id.startsWith('../')) return requireFromHost(id);
    // A relative require is the container asking for one of its own files (webpack's `require`
    // chunk loading): answered from the checked files, never from the disk.
    const relative = path.relative(root, path.resolve(root, id)).split(path.sep).join('/');
    if (!fromRelease.has(relative)) fromRelease.set(relative, evaluateFile(relative, containedRequire as NodeJS.Require));
    return fromRelease.get(relative);
  };
  const evaluateFile = (relative: string, require: NodeJS.Require): unknown => {
    const source = relative.startsWith('../') ? undefined : options.files.get(relative);
    if (!source) throw notInRelease(options, relative);
    options.onEvaluate?.(relative);
    const filename = path.join(root, relative);
    const module = { exports: {} as unknown };
    compileModule(source, filename, options, relative).call(module.exports, module.exports, require, module, filename, path.dirname(filename));
    return module.exports;
  };
  return Object.assign(containedRequire, {
    resolve: requireFromHost.resolve,
    cache: requireFromHost.cache,
    main: requireFromHost.main,
    extensions: requireFromHost.extensions,
  }) as NodeJS.Require;
}

function notInRelease(options: EvaluateContainerOptions, relative: string): ModmeshError {
  return new ModmeshError(
    'MODMESH_CHUNK_NOT_IN_RELEASE',
    `${options.remote}@${options.version ?? '?'}: its code asked for ${relative}, which is not among the files fetched and checked for it`,
    { remote: options.remote, version: options.version, file: relative },
  );
}

// The real `fs`, except that a path below the remote's root is answered from the checked files
// or refused: the remote's own directory does not exist on disk as far as its code can tell.
// Every path below it "exists" for existsSync: the node runtime's chunk loader falls back to
// fetching a chunk it cannot find over HTTP and evaluating it unchecked, so a file the release
// lacks must fail as a read (MODMESH_CHUNK_NOT_IN_RELEASE, naming it), never send it elsewhere.
function createContainedFs(options: EvaluateContainerOptions): typeof realFs {
  const root = path.resolve(options.root) + path.sep;
  const isBelowRoot = (file: unknown): file is string => typeof file === 'string' && path.resolve(file).startsWith(root);
  const lookup = (file: unknown): Buffer | ModmeshError | undefined => {
    if (!isBelowRoot(file)) return undefined;
    const resolved = path.resolve(file);
    const relative = resolved.slice(root.length).split(path.sep).join('/');
    const bytes = options.files.get(relative);
    if (bytes) {
      options.onEvaluate?.(relative);
      return bytes;
    }
    return notInRelease(options, relative);
  };
  const decode = (bytes: Buffer, encoding: unknown): string | Buffer => {
    const name = typeof encoding === 'string' ? encoding : (encoding as { encoding?: BufferEncoding } | undefined)?.encoding;
    return name ? bytes.toString(name as BufferEncoding) : bytes;
  };

  const readFile = function readFile(file: unknown, encodingOrCallback: unknown, maybeCallback?: ReadCallback): void {
    const callback = (typeof encodingOrCallback === 'function' ? encodingOrCallback : maybeCallback) as ReadCallback;
    const found = lookup(file);
    if (found === undefined)
      return void Reflect.apply(
        realFs.readFile,
        realFs,
        [file, encodingOrCallback, maybeCallback].filter((arg) => arg !== undefined),
      );
    const encoding = typeof encodingOrCallback === 'function' ? undefined : encodingOrCallback;
    process.nextTick(() => (found instanceof ModmeshError ? callback(found) : callback(null, decode(found, encoding))));
  };
  const readFileSync = function readFileSync(file: unknown, encoding?: unknown): string | Buffer {
    const found = lookup(file);
    if (found === undefined) return realFs.readFileSync(file as string, encoding as BufferEncoding);
    if (found instanceof ModmeshError) throw found;
    return decode(found, encoding);
  };
  const existsSync = function existsSync(file: unknown): boolean {
    return isBelowRoot(file) || realFs.existsSync(file as string);
  };

  return new Proxy(realFs, {
    get(target, property, receiver) {
      if (property === 'readFile') return readFile;
      if (property === 'readFileSync') return readFileSync;
      if (property === 'existsSync') return existsSync;
      return Reflect.get(target, property, receiver);
    },
  });
}
