import path from 'node:path';
import ts from 'typescript';
import { createCachingHost } from './compiler-host.js';
import type { Declarations } from './declarations.js';
import { renameModules } from './module-names.js';

/** An export whose contract a new release breaks. */
export interface ContractBreak {
  /** The exposed module (`./tokenValidator`). */
  expose: string;
  /** The export (`validateJwtToken`, `default`); `*` when the exposed module itself is gone. */
  name: string;
  /** Its type in the older release, as TypeScript prints it. */
  before: string;
  /** Its type in the new one, or `(removed)`. */
  after: string;
  /** TypeScript's own explanation, when it gave one. */
  why?: string;
}

export interface ContractComparison {
  breaks: ContractBreak[];
  /** Exports and exposed modules the new release adds (`./tokenValidator: decodeToken`). */
  added: string[];
}

/**
 * Whether a new release keeps the contract of an older one, by the TypeScript checker's rules:
 * every exposed module and every export of it still there, and each export's new type
 * assignable to its old one. For a function that means a parameter may accept more than
 * before but not less, and the result may promise more but not less (never `undefined` where
 * it was not, never a property fewer). Exported types are compared the same way. `dir` is where
 * packages the declarations import (`jsonwebtoken`) are resolved from, as a host would.
 *
 * @example
 * const { breaks } = compareContracts(previous, next, { dir: process.cwd() });
 */
export function compareContracts(before: Declarations, after: Declarations, options: { dir: string }): ContractComparison {
  const base = path.join(path.resolve(options.dir), '.modmesh-contract');
  const files = new Map([
    [path.join(base, 'before.d.ts'), renameModules(before.text, (name) => `${BEFORE}${name}`)],
    [path.join(base, 'after.d.ts'), renameModules(after.text, (name) => `${AFTER}${name}`)],
  ]);
  const pairs = Object.entries(before.exposes).flatMap(([expose, module], index) => {
    const next = after.exposes[expose];
    return next === undefined ? [] : [{ expose, index, before: `${BEFORE}${module}`, after: `${AFTER}${next}` }];
  });
  const breaks: ContractBreak[] = Object.keys(before.exposes)
    .filter((expose) => after.exposes[expose] === undefined)
    .map((expose) => ({ expose, name: '*', before: 'an exposed module', after: REMOVED }));
  const added = Object.keys(after.exposes).filter((expose) => before.exposes[expose] === undefined);

  // First program: what each side exports. Second: one assignment per export kept, each on its own line.
  const imports = pairs.map(
    (pair) => `import type * as B${pair.index} from ${JSON.stringify(pair.before)};\nimport type * as A${pair.index} from ${JSON.stringify(pair.after)};`,
  );
  const checkFile = path.join(base, 'check.ts');
  const first = createProgram(files, checkFile, imports.join('\n'));
  const checks: Check[] = [];
  const removed: { expose: string; name: string; index: number; shape: ExportShape }[] = [];
  for (const pair of pairs) {
    const sides = { before: exportsOf(first, checkFile, pair.before), after: exportsOf(first, checkFile, pair.after) };
    for (const [name, old] of sides.before) {
      const now = sides.after.get(name);
      if (!now) {
        removed.push({ expose: pair.expose, name, index: pair.index, shape: old });
        continue;
      }
      for (const kind of ['value', 'type'] as const) {
        if (!old[kind]) continue;
        if (!now[kind]) breaks.push({ expose: pair.expose, name, before: `a ${kind}`, after: `no longer a ${kind}` });
        else if (kind === 'type' && old.typeParameters !== now.typeParameters) {
          breaks.push({ expose: pair.expose, name, before: `${old.typeParameters} type parameters`, after: `${now.typeParameters} type parameters` });
        } else checks.push({ expose: pair.expose, name, kind, index: pair.index, typeParameters: old.typeParameters });
      }
    }
    for (const name of sides.after.keys()) if (!sides.before.has(name)) added.push(`${pair.expose}: ${name}`);
  }
  // Removed exports are declared after the checks, only to print what they were.
  const lines = [
    ...checks.map(checkLine),
    ...removed.map(({ name, index, shape }) => `declare const removed: ${reference('B', index, name, shape.value, shape.typeParameters)};`),
  ];
  const second = createProgram(files, checkFile, [...imports, ...lines].join('\n'), first.program);
  const source = second.program.getSourceFile(checkFile) as ts.SourceFile;
  const problems = second.program.getSemanticDiagnostics(source);
  const statements = source.statements.filter(ts.isVariableStatement);
  removed.forEach(({ expose, name }, index) => {
    const statement = statements[checks.length * 2 + index];
    breaks.push({ expose, name, before: statement ? describe(second.checker, typeOfVariable(second.checker, statement)) : 'an export', after: REMOVED });
  });
  checks.forEach((check, index) => {
    const [declared, assigned] = [statements[index * 2], statements[index * 2 + 1]];
    if (!declared || !assigned) return;
    const problem = problems.find((diagnostic) => diagnostic.start !== undefined && diagnostic.start >= declared.pos && diagnostic.start < assigned.end);
    if (!problem) return;
    breaks.push({
      expose: check.expose,
      name: check.name,
      before: describe(second.checker, typeOfVariable(second.checker, assigned)),
      after: describe(second.checker, typeOfVariable(second.checker, declared)),
      why: whyOf(problem),
    });
  });
  return { breaks, added };
}

// --- internal ---

const BEFORE = 'modmesh-before:';
const AFTER = 'modmesh-after:';
const REMOVED = '(removed)';
// A type printed in a report is cut here: the report names it, TypeScript's explanation says why.
const MAX_TYPE_TEXT = 300;

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  jsx: ts.JsxEmit.React,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: [],
};

interface Check {
  expose: string;
  name: string;
  kind: 'value' | 'type';
  index: number;
  typeParameters: number;
}

interface ExportShape {
  kind: string;
  value: boolean;
  type: boolean;
  typeParameters: number;
}

function createProgram(files: Map<string, string>, checkFile: string, text: string, old?: ts.Program): { program: ts.Program; checker: ts.TypeChecker } {
  const overlay = new Map([...files, [checkFile, text]]);
  const program = ts.createProgram([...overlay.keys()], OPTIONS, createCachingHost(OPTIONS, overlay), old);
  return { program, checker: program.getTypeChecker() };
}

function exportsOf({ program, checker }: { program: ts.Program; checker: ts.TypeChecker }, checkFile: string, module: string): Map<string, ExportShape> {
  const source = program.getSourceFile(checkFile);
  const declaration = source?.statements.find(
    (statement): statement is ts.ImportDeclaration =>
      ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text === module,
  );
  const symbol = declaration && checker.getSymbolAtLocation(declaration.moduleSpecifier);
  const shapes = new Map<string, ExportShape>();
  for (const exported of symbol ? checker.getExportsOfModule(symbol) : []) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const value = (target.flags & ts.SymbolFlags.Value) !== 0;
    const type = (target.flags & ts.SymbolFlags.Type) !== 0;
    const generic = target.declarations?.find(
      (node): node is ts.InterfaceDeclaration | ts.TypeAliasDeclaration | ts.ClassDeclaration =>
        ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassDeclaration(node),
    );
    shapes.set(exported.name, {
      kind: value && type ? 'a value and a type' : value ? 'a value' : 'a type',
      value,
      type,
      typeParameters: generic?.typeParameters?.length ?? 0,
    });
  }
  return shapes;
}

// `declare const` of the new export's type, then a constant of the old type assigned from it:
// the checker's own assignability decides, and says why when it refuses.
function checkLine(check: Check, index: number): string {
  const value = check.kind === 'value';
  const [after, before] = [
    reference('A', check.index, check.name, value, check.typeParameters),
    reference('B', check.index, check.name, value, check.typeParameters),
  ];
  return `declare const after${index}: ${after};\nexport const before${index}: ${before} = after${index};`;
}

// An export as a type: a value by `typeof`, a generic type with `any` for each parameter.
function reference(side: 'A' | 'B', index: number, name: string, value: boolean, typeParameters: number): string {
  if (value) return `typeof ${side}${index}.${name}`;
  return `${side}${index}.${name}${typeParameters > 0 ? `<${Array.from({ length: typeParameters }, () => 'any').join(', ')}>` : ''}`;
}

function typeOfVariable(checker: ts.TypeChecker, statement: ts.VariableStatement): ts.Type {
  const [declaration] = statement.declarationList.declarations;
  return declaration?.type ? checker.getTypeFromTypeNode(declaration.type) : checker.getAnyType();
}

// A type as a person compares two of them: a function by its signatures, a named object type
// or union by what it is made of (its name alone would read the same on both sides).
function describe(checker: ts.TypeChecker, type: ts.Type): string {
  const flags = ts.TypeFormatFlags.NoTruncation;
  const signatures = checker.getSignaturesOfType(type, ts.SignatureKind.Call);
  let text: string;
  if (signatures.length > 0 && checker.getPropertiesOfType(type).length === 0) {
    text = signatures.map((signature) => checker.signatureToString(signature, undefined, flags | ts.TypeFormatFlags.WriteArrowStyleSignature)).join(' & ');
  } else if (type.isUnion()) {
    text = type.types.map((member) => expand(checker, member, flags)).join(' | ');
  } else {
    text = expand(checker, type, flags);
  }
  const plain = withoutPrefixes(text);
  return plain.length > MAX_TYPE_TEXT ? `${plain.slice(0, MAX_TYPE_TEXT)}…` : plain;
}

function expand(checker: ts.TypeChecker, type: ts.Type, flags: ts.TypeFormatFlags): string {
  const named = type.aliasSymbol || (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Interface);
  if (!named || checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0)
    return checker.typeToString(type, undefined, flags | ts.TypeFormatFlags.InTypeAlias);
  const members = checker.getPropertiesOfType(type).map((property) => {
    const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
    return `${property.name}${optional}: ${checker.typeToString(checker.getTypeOfSymbol(property), undefined, flags)}`;
  });
  return `{ ${members.join('; ')} }`;
}

function whyOf(diagnostic: ts.Diagnostic): string {
  const lines = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n');
  // The first line repeats the two whole types; the ones after it name the part that differs.
  return withoutPrefixes((lines.length > 1 ? lines.slice(1) : lines).map((line) => line.trim()).join(' '))
    .replace(/\b[AB]\d+\./g, '')
    .replace(/\b(before|after)\d+\b/g, 'it');
}

// The two sides' declarations are told apart by a prefix on their module names; a person reads a type without it.
function withoutPrefixes(text: string): string {
  return text.replace(/import\("modmesh-(before|after):[^"]*"\)\./g, '').replace(/"modmesh-(before|after):([^"]*)"/g, '"$2"');
}
