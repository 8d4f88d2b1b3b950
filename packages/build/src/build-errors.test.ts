import { describe, expect, it } from 'vitest';
import { buildProblems, formatProblems } from './build-errors.js';

// The errors as webpack (ts-loader) and rspack (swc) report them in their stats.
const WEBPACK = {
  moduleName: './src/greeting.ts',
  loc: '2:20-21',
  message: '[tsl] ERROR in /project/src/greeting.ts(2,21)\n      TS1109: Expression expected.',
};
const RSPACK = {
  moduleName: './src/greeting.ts',
  message:
    '  × Module build failed (from builtin:swc-loader):\n  ╰─▶   × Syntax Error: Expression expected\n         ╭─[2:20]\n       1 │ export const x = 1;\n       2 │ export const y = 2 +;\n         ·                     ─\n         ╰────\n',
};
// rspack gives no [line:col] for a one-line file: the marker under the line says where.
const RSPACK_ONE_LINE = {
  moduleName: './src/text.ts',
  message:
    "  × Module build failed (from builtin:swc-loader):\n  ╰─▶   × Syntax Error: Expression expected\n         ╭────\n       1 │ export const TEXT = 'third' +;\n         ·                              ─\n         ╰────\n",
};

describe('build errors', () => {
  it('name the file, line and column of each, and what is wrong, whichever bundler reported it', () => {
    expect(formatProblems(buildProblems([WEBPACK, RSPACK, RSPACK_ONE_LINE, { message: 'Module not found' }], '/project'))).toBe(
      [
        'src/greeting.ts:2:21: TS1109: Expression expected.',
        'src/greeting.ts:2:21: Syntax Error: Expression expected',
        'src/text.ts:1:30: Syntax Error: Expression expected',
        'Module not found',
      ].join('\n'),
    );
  });
});
