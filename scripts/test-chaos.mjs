// `npm run test:chaos`: the reliability and security suite in its long form (more trials, longer
// load, 300 registry kills), then a summary table of what every scenario did. Exits non-zero
// when a test failed or any scenario counted a failure or lost data.
//   MODMESH_CRASH_TRIALS  registry kills in test/e2e/src/registry-crash.test.ts (default 300)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_PATHS = ['test/chaos', 'test/e2e/src/registry-crash.test.ts'];
const COLUMNS = [
  ['scenario', 'scenario'],
  ['trials', 'trials'],
  ['requests', 'requests'],
  ['failures', 'failures'],
  ['data lost', 'dataLost'],
];

const reportDir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-chaos-report-'));
const report = path.join(reportDir, 'scenarios.jsonl');
const started = Date.now();
const vitest = await run('npx', ['vitest', 'run', ...TEST_PATHS], {
  ...process.env,
  MODMESH_CHAOS: 'long',
  MODMESH_CHAOS_REPORT: report,
  MODMESH_CRASH_TRIALS: process.env.MODMESH_CRASH_TRIALS ?? '300',
});
const rows = existsSync(report)
  ? readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(reportDir, { recursive: true, force: true });

const failed = rows.filter((row) => row.failures > 0 || row.dataLost > 0);
process.stdout.write(`\n## Chaos suite, long form (${Math.round((Date.now() - started) / 1000)} s)\n\n${table(rows)}\n`);
const problems = [
  vitest !== 0 && `vitest exited with ${vitest}`,
  rows.length === 0 && 'no scenario recorded a result',
  failed.length > 0 && `${failed.length} scenario(s) with failures or data lost: ${failed.map((row) => row.scenario).join('; ')}`,
].filter(Boolean);
for (const problem of problems) process.stdout.write(`FAILED: ${problem}\n`);
process.exit(problems.length > 0 ? 1 : 0);

// --- internal ---

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('error', (error) => {
      process.stderr.write(`${command}: ${error.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function table(rows) {
  const total = { scenario: '**total**', trials: 0, requests: 0, failures: 0, dataLost: 0 };
  for (const row of rows) for (const key of ['trials', 'requests', 'failures', 'dataLost']) total[key] += row[key];
  const lines = [
    `| ${COLUMNS.map(([title]) => title).join(' | ')} |`,
    `|---|${COLUMNS.slice(1)
      .map(() => '---:')
      .join('|')}|`,
  ];
  for (const row of [...rows, total]) lines.push(`| ${COLUMNS.map(([, key]) => (key === 'scenario' ? cell(row[key]) : row[key])).join(' | ')} |`);
  return lines.join('\n');
}

function cell(text) {
  return String(text).replaceAll('|', '\\|');
}
