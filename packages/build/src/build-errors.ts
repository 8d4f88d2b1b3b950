import path from 'node:path';

/** A bundler error as a person looks for it: the file (relative to the project), line and column, and what is wrong. */
export interface BuildProblem {
  file: string;
  line: number | undefined;
  column: number | undefined;
  message: string;
}

/** What webpack and rspack give of each error in `stats.toJson({ errors: true })`. */
export interface StatsError {
  message?: string;
  moduleName?: string;
  file?: string;
  loc?: string;
}

/**
 * Each error of a failed build with its file and line. webpack gives the location as `loc`
 * (`2:20-21`, the column from 0); rspack's code frames start with `╭─[2:20]`. The message is the
 * first line that says what is wrong, without the loader's "Module build failed" wrapping.
 */
export function buildProblems(errors: readonly StatsError[], dir: string): BuildProblem[] {
  return errors.map((error) => {
    const text = stripAnsi(error.message ?? '');
    const where = LOC.exec(error.loc ?? '') ?? FRAME.exec(text);
    const file = error.moduleName ? error.moduleName.replace(/^\.\//, '') : error.file ? path.relative(dir, error.file) : '';
    const at = where ? { line: Number(where[1]), column: Number(where[2]) + 1 } : markedLocation(text);
    return { file, line: at?.line, column: at?.column, message: headline(text) };
  });
}

/** `src/greeting.ts:2:21: Expression expected`, one per line. */
export function formatProblems(problems: readonly BuildProblem[]): string {
  return problems
    .map((problem) =>
      problem.file ? `${problem.file}${problem.line === undefined ? '' : `:${problem.line}:${problem.column}`}: ${problem.message}` : problem.message,
    )
    .join('\n');
}

// --- internal ---

const LOC = /^(\d+):(\d+)/;
const FRAME = /╭─\[(\d+):(\d+)\]/;
// The wrapping loaders put around the error itself.
const WRAPPING = /^(Module build failed|\[tsl\] ERROR in)/;

// A code frame without a `[line:col]` header (rspack's, for a one-line file): the numbered line
// above the marker, and where the marker points under it.
function markedLocation(text: string): { line: number; column: number } | undefined {
  const lines = text.split('\n');
  for (const [index, marker] of lines.entries()) {
    const dot = marker.indexOf('·');
    const pointed = marker.search(/[─^]/);
    const code = /^\s*(\d+) │ /.exec(lines[index - 1] ?? '');
    if (dot >= 0 && pointed > dot && code) return { line: Number(code[1]), column: pointed - dot - 1 };
  }
  return undefined;
}

function headline(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/^[\s×╰─▶│]+/, '').trim())
    .filter((line) => line.length > 0 && !WRAPPING.test(line));
  return lines[0] ?? text.trim();
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes are what is removed
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
