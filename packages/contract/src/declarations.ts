import { statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { createCachingHost } from './compiler-host.js';
import { declaredModules } from './module-names.js';

export interface DeclarationInput {
  /** The project: where modmesh.config.ts is, and what `exposes` is relative to. */
  dir: string;
  /** The project's tsconfig.json, whose settings (paths, jsx, lib, types, strict) the sources are read with. */
  tsconfig?: string | undefined;
  /** Exposed module → its source file (`{ './tokenValidator': './src/tokenValidator.ts' }`). */
  exposes: Record<string, string>;
  /**
   * Where the container runs, for the global types its sources are read with when the tsconfig
   * names none: Node's (`@types/node`) for `node`, the DOM's for `web`, as the build compiles them.
   * @default "node"
   */
  target?: 'node' | 'web';
}

/** A container's contract: its declarations, and which of their modules each exposed module is. */
export interface Declarations {
  /** One declaration file: an ambient module per source file the exposed modules reach (`declare module "src/validator" { ... }`). */
  text: string;
  /** Exposed module → its module in `text` (`{ './tokenValidator': 'src/tokenValidator' }`). */
  exposes: Record<string, string>;
}

/** Something TypeScript could not declare as it is; the declaration says `any` there. */
export interface DeclarationProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface EmittedDeclarations extends Declarations {
  problems: DeclarationProblem[];
}

/**
 * The declarations of a project's exposed modules and of every module of its own they use, as
 * the TypeScript compiler emits them (`declaration`, one output file of ambient modules), with
 * the project's tsconfig. Packages the modules import (`jsonwebtoken`, `react`) stay references:
 * a host resolves them from its own node_modules. Types TypeScript cannot name in a declaration
 * are reported as problems (file and line). Within a process, files are parsed once while they
 * are unchanged, so a rebuild after an edit costs tens of milliseconds.
 *
 * @example
 * const { text, exposes } = emitDeclarations({ dir: 'examples/auth-service', exposes: { './tokenValidator': './src/tokenValidator.ts' } });
 */
export function emitDeclarations(input: DeclarationInput): EmittedDeclarations {
  const dir = path.resolve(input.dir);
  const roots = Object.fromEntries(Object.entries(input.exposes).map(([expose, file]) => [expose, sourceFileOf(dir, file)]));
  const options = compilerOptions(dir, input.tsconfig, input.target ?? 'node');
  const key = JSON.stringify([dir, input.tsconfig, roots]);
  const program = ts.createProgram(Object.values(roots), options, createCachingHost(options), previous.get(key));
  previous.set(key, program);
  let text = '';
  const result = program.emit(undefined, (_file, written) => {
    text += written;
  });
  const problems = result.diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error).map(problemOf);
  const commonDir = commonSourceDir(program);
  const declared = new Set(declaredModules(text));
  const exposes: Record<string, string> = {};
  for (const [expose, file] of Object.entries(roots)) {
    const name = moduleNameOf(commonDir, file);
    if (declared.has(name)) exposes[expose] = name;
    else problems.push({ file, line: 1, column: 1, message: `TypeScript declared nothing for ${expose}: it is not a module it can read` });
  }
  return { text, exposes, problems };
}

// --- internal ---

// The last program of each project, so that the next one reuses what did not change.
const previous = new Map<string, ts.Program>();

// What an expose may be written without (as webpack resolves it).
const SOURCE_EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.js', '.jsx', '.mjs', '/index.ts', '/index.tsx', '/index.js'];

function sourceFileOf(dir: string, file: string): string {
  const full = path.resolve(dir, file);
  return SOURCE_EXTENSIONS.map((extension) => full + extension).find(isFile) ?? full;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// The project's settings, with what one file of ambient modules needs: AMD module output is the
// only kind TypeScript writes declarations of several modules into one file with, named by
// their paths; Node-style resolution reads the `.js` specifiers of ES module sources.
function compilerOptions(dir: string, tsconfig: string | undefined, target: 'node' | 'web'): ts.CompilerOptions {
  const own = tsconfig
    ? ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })?.options
    : undefined;
  return {
    target: ts.ScriptTarget.ES2022,
    strict: true,
    esModuleInterop: true,
    jsx: ts.JsxEmit.React,
    ...own,
    // Every @types package in node_modules (TypeScript's default) would be read and checked on
    // each emit; the globals a container's code has are its platform's.
    types: own?.types ?? (target === 'web' || !hasNodeTypes(dir) ? [] : ['node']),
    ...(target === 'web' && !own?.lib && { lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'] }),
    declaration: true,
    emitDeclarationOnly: true,
    noEmit: false,
    noEmitOnError: false,
    outFile: path.join(dir, 'modmesh-types.d.ts'),
    outDir: undefined,
    declarationDir: undefined,
    rootDir: undefined,
    module: ts.ModuleKind.AMD,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    customConditions: undefined,
    resolvePackageJsonExports: undefined,
    resolvePackageJsonImports: undefined,
    allowJs: true,
    checkJs: false,
    skipLibCheck: true,
    declarationMap: false,
    sourceMap: false,
    inlineSourceMap: false,
    composite: false,
    incremental: false,
    tsBuildInfoFile: undefined,
    verbatimModuleSyntax: false,
    isolatedModules: false,
    isolatedDeclarations: false,
  };
}

function hasNodeTypes(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if (isFile(path.join(current, 'node_modules/@types/node/package.json'))) return true;
    if (path.dirname(current) === current) return false;
  }
}

// The directory TypeScript names the modules of its output relative to: the deepest one that
// holds every source file it emits (the project's own files, not declarations or packages).
function commonSourceDir(program: ts.Program): string {
  const dirs = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file) && !file.fileName.endsWith('.json'))
    .map((file) => path.dirname(path.resolve(file.fileName)));
  return dirs.reduce((common, dir) => {
    let shared = common;
    while (path.relative(shared, dir).startsWith('..')) shared = path.dirname(shared);
    return shared;
  }, dirs[0] ?? '/');
}

function moduleNameOf(commonDir: string, file: string): string {
  return path
    .relative(commonDir, file)
    .replace(/\.(d\.)?[mc]?[jt]sx?$/, '')
    .split(path.sep)
    .join('/');
}

function problemOf(diagnostic: ts.Diagnostic): DeclarationProblem {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return { file: '', line: 0, column: 0, message };
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return { file: diagnostic.file.fileName, line: line + 1, column: character + 1, message };
}
