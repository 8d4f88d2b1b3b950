import ts from 'typescript';

// A release's declarations are one file of ambient modules, one per source file, named by its
// path (`declare module "src/validator" { ... }`), referring to each other by those names. To put
// two of them in one program (the gate), or a remote's beside a host's own modules, the names are
// given a prefix; everything else in the file stays as TypeScript wrote it.

/** The modules a declaration file declares at its top level (`declare module "src/validator"`), in order. */
export function declaredModules(text: string): string[] {
  return parse(text)
    .statements.filter(ts.isModuleDeclaration)
    .flatMap((statement) => (ts.isStringLiteral(statement.name) ? [statement.name.text] : []));
}

/**
 * The declaration file with every reference to one of its own modules renamed by `rename`: the
 * names they are declared under, and every import, export and `import("...")` type naming one.
 * References to anything else (`jsonwebtoken`, `node:crypto`) are left as they are.
 *
 * @example
 * renameModules(text, (name) => `before:${name}`)
 */
export function renameModules(text: string, rename: (name: string) => string): string {
  const file = parse(text);
  const own = new Set(declaredModules(text));
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    const literal = moduleNameOf(node);
    if (literal && own.has(literal.text)) edits.push({ start: literal.getStart(file), end: literal.end, text: JSON.stringify(rename(literal.text)) });
    ts.forEachChild(node, visit);
  };
  visit(file);
  let result = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

/** Whether the module `name` of a declaration file has a default export (`export { default } from` needs one). */
export function hasDefaultExport(text: string, name: string): boolean {
  const declaration = parse(text).statements.find(
    (statement): statement is ts.ModuleDeclaration => ts.isModuleDeclaration(statement) && ts.isStringLiteral(statement.name) && statement.name.text === name,
  );
  const body = declaration?.body;
  if (!body || !ts.isModuleBlock(body)) return false;
  return body.statements.some((statement) => {
    if (ts.isExportAssignment(statement)) return !statement.isExportEquals;
    if (ts.isExportDeclaration(statement)) {
      return (
        !!statement.exportClause &&
        ts.isNamedExports(statement.exportClause) &&
        statement.exportClause.elements.some((element) => element.name.text === 'default')
      );
    }
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    return (
      !!modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) &&
      !!modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword)
    );
  });
}

// --- internal ---

function parse(text: string): ts.SourceFile {
  return ts.createSourceFile('modmesh-types.d.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

// The string literal naming a module in this node, if it is a place that names one.
function moduleNameOf(node: ts.Node): ts.StringLiteral | undefined {
  let literal: ts.Node | undefined;
  if (ts.isModuleDeclaration(node)) literal = node.name;
  else if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal = node.moduleSpecifier;
  else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal = node.argument.literal;
  else if (ts.isExternalModuleReference(node)) literal = node.expression;
  return literal && ts.isStringLiteral(literal) ? literal : undefined;
}
