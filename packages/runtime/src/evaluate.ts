import realFs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { ModmeshError } from '@modmesh/manifest';

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
  /** Told each file the container's code reads, entry first: what actually ran. */
  onEvaluate?: (file: string) => void;
}

const requireFromHost = createRequire(import.meta.url);

/**
 * Evaluates a remote's entry from checked, in-memory bytes and returns its container.
 *
 * The container's chunk loader (webpack's `async-node` target) reads chunks with the `fs` of the
 * `require` it is given, at `path.join(__dirname, chunk)`. It is given a `require` whose `fs`
 * answers reads below `root` from `files` only, so a chunk is never read from disk or network
 * unchecked, and a file planted where a chunk would be is never seen.
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
    const run = vm.compileFunction(source.toString('utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
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

  const container = module.exports as Partial<FederationContainer> | null;
  if (!container || typeof container.init !== 'function' || typeof container.get !== 'function') {
    throw new ModmeshError(
      'MODMESH_REMOTE_EVALUATION_FAILED',
      `${options.remote}: ${options.entry} did not export a Module Federation container (init and get)`,
      {
        remote: options.remote,
        version: options.version,
        file: options.entry,
        hint: 'Build the remote with @module-federation/enhanced, target async-node and library type commonjs-module.',
      },
    );
  }
  return container as FederationContainer;
}

// --- internal ---

type ReadCallback = (error: NodeJS.ErrnoException | null, data?: string | Buffer) => void;

function createContainedRequire(options: EvaluateContainerOptions): NodeJS.Require {
  const fs = createContainedFs(options);
  const containedRequire = function containedRequire(id: string): unknown {
    return id === 'fs' || id === 'node:fs' ? fs : requireFromHost(id);
  };
  return Object.assign(containedRequire, {
    resolve: requireFromHost.resolve,
    cache: requireFromHost.cache,
    main: requireFromHost.main,
    extensions: requireFromHost.extensions,
  }) as NodeJS.Require;
}

// The real `fs`, except that a path below the remote's root is answered from the checked files
// or refused: the remote's own directory does not exist on disk as far as its code can tell.
function createContainedFs(options: EvaluateContainerOptions): typeof realFs {
  const root = path.resolve(options.root) + path.sep;
  const lookup = (file: unknown): Buffer | ModmeshError | undefined => {
    if (typeof file !== 'string') return undefined;
    const resolved = path.resolve(file);
    if (!resolved.startsWith(root)) return undefined;
    const relative = resolved.slice(root.length).split(path.sep).join('/');
    const bytes = options.files.get(relative);
    if (bytes) {
      options.onEvaluate?.(relative);
      return bytes;
    }
    return new ModmeshError(
      'MODMESH_CHUNK_NOT_IN_RELEASE',
      `${options.remote}: its code asked for ${relative}, which is not among the files fetched and checked for it`,
      {
        remote: options.remote,
        version: options.version,
        file: relative,
      },
    );
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
    const found = lookup(file);
    return found === undefined ? realFs.existsSync(file as string) : !(found instanceof ModmeshError);
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
