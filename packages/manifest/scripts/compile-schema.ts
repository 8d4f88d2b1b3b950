// Compiles a zod/mini schema into plain TypeScript that checks a value the way the schema parses
// it, so that hosts and pages check manifests without loading zod or building the schema at
// start-up. The schema stays the one source of the rules and of the type: what zod checks by
// shape is written out here; what it checks by code (refinements) is called by name from
// rules.ts, the very functions the schema uses. A schema part this compiler does not know is an
// error, never a check left out.
//
// The verdict is zod's exactly (release-manifest-check.test.ts compares them on generated and
// mutated manifests); messages follow zod's English locale, with the schema's own messages
// where it gives them.

/** What the compiler reads of a zod schema or check: its definition. */
interface ZodNode {
  _zod: { def: Def };
}

interface Def {
  type?: string;
  check?: string;
  format?: string;
  pattern?: RegExp;
  checks?: ZodNode[];
  shape?: Record<string, ZodNode>;
  catchall?: ZodNode;
  element?: ZodNode;
  innerType?: ZodNode;
  options?: ZodNode[];
  values?: unknown[];
  entries?: Record<string, unknown>;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  abort?: boolean;
  fn?: (value: never) => unknown;
  error?: (issue: { code: string; input: unknown }) => unknown;
}

export interface CompileOptions {
  /** The exported name of the generated function. */
  name: string;
  /** Where the rule functions are imported from, relative to the generated file. */
  rulesModule: string;
  /** Functions the schema refines with (`z.refine(fn)`), by the name rulesModule exports them under. */
  rules: Record<string, (value: never) => unknown>;
  /**
   * Checks of the schema whose code the compiler cannot see (`z.superRefine`), each with the rule
   * it calls: a function of rulesModule that returns `{ path, message }[]` for the value.
   */
  checks: Map<unknown, string>;
  /** Lines of the header comment. */
  header: string[];
}

/** The TypeScript source of a module exporting `name(value): { path, message }[]` (empty: valid). */
export function compileSchema(schema: unknown, options: CompileOptions): string {
  const compiler = createCompiler(options);
  const root = compiler.nodeFunction(schema as ZodNode);
  const used = [...compiler.usedRules].sort();
  return [
    ...options.header.map((line) => `// ${line}`.trimEnd()),
    `import { ${[...used, 'type ManifestIssue'].join(', ')} } from '${options.rulesModule}';`,
    '',
    '/** Every problem the schema finds in `value`, with its path; none when the value is valid. */',
    `export function ${options.name}(value: unknown): ManifestIssue[] {`,
    '  const issues: Issue[] = [];',
    `  ${root}(value, [], issues);`,
    '  return issues.map(({ path, message }) => ({ path, message }));',
    '}',
    '',
    '// --- internal ---',
    '',
    'type Path = (string | number)[];',
    '// `fatal`: the value is not even of the right kind, which stops checks that need it to be (zod: an issue that does not `continue`).',
    'type Issue = ManifestIssue & { fatal: boolean };',
    '',
    ...compiler.constants,
    '',
    ...compiler.functions.flatMap((fn) => [fn, '']),
    HELPERS,
  ].join('\n');
}

// --- internal ---

/** What a node's checks run on, once its type was checked. */
type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'value';

const HELPERS = `function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// zod measures strings in code points, not UTF-16 units.
function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

function wrongType(expected: string, value: unknown, path: Path, issues: Issue[]): void {
  issues.push({ path, message: \`Invalid input: expected \${expected}, received \${typeName(value)}\`, fatal: true });
}

function problem(message: string, path: Path, issues: Issue[]): void {
  issues.push({ path, message, fatal: false });
}
`;

function createCompiler(options: CompileOptions) {
  const functions: string[] = [];
  const constants: string[] = [];
  const usedRules = new Set<string>();
  const names = new Map<ZodNode, string>();
  const patterns = new Map<string, string>();
  const ruleNames = new Map<unknown, string>(Object.entries(options.rules).map(([name, fn]) => [fn, name]));

  function patternConstant(pattern: RegExp): string {
    const literal = pattern.toString();
    let name = patterns.get(literal);
    if (!name) {
      name = `PATTERN_${patterns.size}`;
      patterns.set(literal, name);
      constants.push(`const ${name} = ${literal};`);
    }
    return name;
  }

  function nodeFunction(node: ZodNode): string {
    const known = names.get(node);
    if (known) return known;
    const name = `check${names.size}`;
    names.set(node, name);
    const body = compileNode(node._zod.def);
    functions.push([`function ${name}(value: unknown, path: Path, issues: Issue[]): void {`, ...body.map((line) => `  ${line}`), '}'].join('\n'));
    return name;
  }

  function compileNode(def: Def): string[] {
    switch (def.type) {
      case 'string':
        return ["if (typeof value !== 'string') return wrongType('string', value, path, issues);", ...ownFormat(def), ...compileChecks(def.checks, 'string')];
      case 'number':
        return [
          "if (typeof value !== 'number' || !Number.isFinite(value)) return wrongType('number', value, path, issues);",
          ...ownFormat(def),
          ...compileChecks(def.checks, 'number'),
        ];
      case 'boolean':
        return ["if (typeof value !== 'boolean') return wrongType('boolean', value, path, issues);", ...compileChecks(def.checks, 'boolean')];
      case 'literal':
      case 'enum': {
        const values = def.type === 'literal' ? (def.values ?? []) : Object.values(def.entries ?? {});
        const message = values.length === 1 ? `Invalid input: expected ${show(values[0])}` : `Invalid option: expected one of ${values.map(show).join('|')}`;
        return [
          `if (!(${values.map((item) => `value === ${JSON.stringify(item)}`).join(' || ')})) {`,
          `  issues.push({ path, message: ${JSON.stringify(message)}, fatal: true });`,
          '  return;',
          '}',
          ...compileChecks(def.checks, 'value'),
        ];
      }
      case 'optional':
        return ['if (value === undefined) return;', `${nodeFunction(required(def.innerType))}(value, path, issues);`];
      case 'array':
        return [
          "if (!Array.isArray(value)) return wrongType('array', value, path, issues);",
          ...sizeCap(def),
          `value.forEach((item, index) => ${nodeFunction(required(def.element))}(item, [...path, index], issues));`,
          ...compileChecks(def.checks, 'array'),
        ];
      case 'union': {
        const options = (def.options ?? []).map(nodeFunction);
        return [
          'const results: Issue[][] = [];',
          `for (const option of [${options.join(', ')}]) {`,
          '  const found: Issue[] = [];',
          '  option(value, path, found);',
          '  if (found.length === 0) return;',
          '  results.push(found);',
          '}',
          '// One option the value is of the right kind for: its problems are the problems (as zod says them).',
          'const near = results.filter((found) => !found.some((issue) => issue.fatal));',
          'if (near.length === 1) issues.push(...(near[0] as Issue[]));',
          "else issues.push({ path, message: 'Invalid input', fatal: true });",
        ];
      }
      case 'object':
        return compileObject(def);
      default:
        throw new Error(`compile-schema: a schema of type ${def.type} is not supported; teach scripts/compile-schema.ts to check it`);
    }
  }

  function compileObject(def: Def): string[] {
    const shape = def.shape ?? {};
    const catchall = def.catchall?._zod.def.type;
    if (catchall !== undefined && catchall !== 'never') throw new Error(`compile-schema: objects with a ${catchall} catchall are not supported`);
    const lines = ["if (!isObject(value)) return wrongType('object', value, path, issues);", 'const start = issues.length;'];
    for (const [key, child] of Object.entries(shape)) {
      lines.push(`${nodeFunction(child)}(value[${JSON.stringify(key)}], [...path, ${JSON.stringify(key)}], issues);`);
    }
    if (catchall === 'never') {
      lines.push(
        `const known = new Set(${JSON.stringify(Object.keys(shape))});`,
        'const unknown: string[] = [];',
        'for (const key in value) if (!known.has(key)) unknown.push(key);',
        'if (unknown.length > 0) {',
        "  const keys = unknown.map((key) => JSON.stringify(key)).join(', ');",
        "  problem((unknown.length > 1 ? 'Unrecognized keys: ' : 'Unrecognized key: ') + keys, path, issues);",
        '}',
      );
    }
    const checks = def.checks ?? [];
    if (checks.length > 0) {
      lines.push('// zod runs an object’s own checks only when all of its fields are of the right kind.');
      lines.push('if (issues.slice(start).some((issue) => issue.fatal)) return;');
      lines.push(...compileChecks(checks, 'object'));
    }
    return lines;
  }

  // zod refuses an array longer than its maximum before looking at any element (and stops there).
  function sizeCap(def: Def): string[] {
    return (def.checks ?? [])
      .filter((check) => check._zod.def.check === 'max_length')
      .map((check) => {
        const { maximum } = check._zod.def;
        const message = messageOf(check._zod.def) ?? JSON.stringify(`Too big: expected array to have <=${maximum} items`);
        return `if (value.length > ${maximum}) return void issues.push({ path, message: ${message}, fatal: true });`;
      });
  }

  // The check a format schema is itself (z.iso.datetime(), z.int()), before its other checks.
  function ownFormat(def: Def): string[] {
    if (def.check === undefined) return [];
    if (def.check === 'string_format' && def.pattern) {
      const message = def.format === 'datetime' ? 'Invalid ISO datetime' : `Invalid ${def.format}`;
      return [`if (!${patternConstant(def.pattern)}.test(value)) problem(${JSON.stringify(message)}, path, issues);`];
    }
    if (def.check === 'number_format' && def.format === 'safeint') {
      return [
        "if (!Number.isInteger(value)) return void issues.push({ path, message: 'Invalid input: expected int, received number', fatal: true });",
        `if (value > Number.MAX_SAFE_INTEGER) problem(${JSON.stringify(`Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`)}, path, issues);`,
        `else if (value < Number.MIN_SAFE_INTEGER) problem(${JSON.stringify(`Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`)}, path, issues);`,
      ];
    }
    throw new Error(`compile-schema: the format ${def.format} (${def.check}) is not supported`);
  }

  function compileChecks(checks: ZodNode[] | undefined, kind: Kind): string[] {
    return (checks ?? []).flatMap((check) => compileCheck(check, kind));
  }

  function compileCheck(node: ZodNode, kind: Kind): string[] {
    const def = node._zod.def;
    const custom = messageOf(def);
    switch (def.check) {
      case 'min_length':
      case 'max_length': {
        if (kind !== 'string' && kind !== 'array') throw new Error(`compile-schema: a length check on a ${kind}`);
        const [operator, word, bound] = def.check === 'min_length' ? ['<', 'Too small', `>=${def.minimum}`] : ['>', 'Too big', `<=${def.maximum}`];
        const limit = def.check === 'min_length' ? def.minimum : def.maximum;
        const unit = kind === 'string' ? 'characters' : 'items';
        const message = custom ?? JSON.stringify(`${word}: expected ${kind} to have ${bound} ${unit}`);
        // A code point is one or two UTF-16 units: only a length in doubt is counted.
        const cheap = def.check === 'min_length' ? `value.length < ${2 * Number(limit)} && ` : `value.length > ${limit} && `;
        const test = kind === 'string' ? `${cheap}codePoints(value) ${operator} ${limit}` : `value.length ${operator} ${limit}`;
        return [`if (${test}) problem(${message}, path, issues);`];
      }
      case 'string_format': {
        if (!def.pattern) throw new Error(`compile-schema: the string format ${def.format} has no pattern`);
        const message = custom ?? JSON.stringify(`Invalid string: must match pattern ${def.pattern}`);
        return [`if (!${patternConstant(def.pattern)}.test(value)) problem(${message}, path, issues);`];
      }
      case 'greater_than':
        return [
          `if (!(value ${def.inclusive ? '>=' : '>'} ${def.value})) problem(${custom ?? JSON.stringify(`Too small: expected number to be ${def.inclusive ? '>=' : '>'}${def.value}`)}, path, issues);`,
        ];
      case 'less_than':
        return [
          `if (!(value ${def.inclusive ? '<=' : '<'} ${def.value})) problem(${custom ?? JSON.stringify(`Too big: expected number to be ${def.inclusive ? '<=' : '<'}${def.value}`)}, path, issues);`,
        ];
      case 'custom':
        return compileCustom(node, def, custom);
      default:
        throw new Error(`compile-schema: the check ${def.check} is not supported; teach scripts/compile-schema.ts to check it`);
    }
  }

  function compileCustom(node: ZodNode, def: Def, custom: string | undefined): string[] {
    const byCheck = options.checks.get(node);
    if (byCheck) {
      usedRules.add(byCheck);
      return [
        `for (const issue of ${byCheck}(value as unknown as Parameters<typeof ${byCheck}>[0])) {`,
        '  problem(issue.message, [...path, ...issue.path], issues);',
        '}',
      ];
    }
    const rule = def.fn && ruleNames.get(def.fn);
    if (!rule) {
      throw new Error(
        `compile-schema: a refinement (${def.fn?.name || 'anonymous'}) is not one of the rules given; write it as a named function of ${options.rulesModule}`,
      );
    }
    usedRules.add(rule);
    return [`if (!${rule}(value as Parameters<typeof ${rule}>[0])) problem(${custom ?? "'Invalid input'"}, path, issues);`];
  }

  return { nodeFunction, functions, constants, usedRules };
}

// The message a schema gives for a check, as a TypeScript string literal, if it gives one.
function messageOf(def: Def): string | undefined {
  const message = def.error?.({ code: def.check ?? 'custom', input: undefined });
  return typeof message === 'string' ? JSON.stringify(message) : undefined;
}

function required(node: ZodNode | undefined): ZodNode {
  if (!node) throw new Error('compile-schema: a wrapper schema without its inner schema');
  return node;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
