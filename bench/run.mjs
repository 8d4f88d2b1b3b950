// npm run bench [-- --quick] [-- --only cold-start,swap-latency]
// Runs every scenario in bench/scenarios/, modmesh and stock Module Federation side by side,
// prints a markdown table and writes bench/results/latest.json (and bench/RESULTS.md for a
// full run). --quick runs each scenario small and fast, to keep the harness working in CI; it
// asserts nothing about speed.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, stats, stopAll } from './lib.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined;

const scenarioDir = path.join(root, 'bench/scenarios');
const files = readdirSync(scenarioDir)
  .filter((file) => file.endsWith('.mjs'))
  .sort()
  .filter((file) => !only || only.some((name) => file.includes(name)));

const machine = describeMachine();
const results = [];
let failed = false;
for (const file of files) {
  const scenario = await import(pathToFileURL(path.join(scenarioDir, file)).href);
  process.stderr.write(`\n== ${scenario.title} (${quick ? 'quick' : 'full'})\n`);
  const startedAt = performance.now();
  try {
    const outcome = await scenario.run({ quick, log: (message) => process.stderr.write(`   ${message}\n`) });
    results.push({ file, title: scenario.title, seconds: (performance.now() - startedAt) / 1000, ...summarize(outcome) });
  } catch (error) {
    failed = true;
    process.stderr.write(`   FAILED: ${error.stack ?? error}\n`);
    results.push({ file, title: scenario.title, error: String(error.message ?? error) });
  } finally {
    await stopAll();
  }
}

const markdown = render(results, machine, quick);
process.stdout.write(`${markdown}\n`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify({ machine, quick, results }, null, 2)}\n`);
if (!quick && !only) writeFileSync(path.join(root, 'bench/RESULTS.md'), `${markdown}\n`);
process.exitCode = failed ? 1 : 0;

// --- internal ---

function summarize(outcome) {
  return {
    notes: outcome.notes ?? [],
    metrics: outcome.metrics.map((metric) => {
      const variants = Object.fromEntries(Object.entries(metric.variants).map(([variant, samples]) => [variant, stats(samples)]));
      const [numerator, denominator] = metric.ratio ?? [];
      const ratio = numerator && denominator ? variants[numerator].median / variants[denominator].median : undefined;
      const judged = metric.aim ? judge(metric.aim, variants, ratio) : undefined;
      return { ...metric, variants, ratio, ratioLabel: numerator && `${numerator}/${denominator}`, met: judged };
    }),
  };
}

// An aim is on the ratio (`{ on: 'ratio', max: 1.0 }`) or on one variant's statistic
// (`{ on: 'modmesh', stat: 'p99', max: 250 }`).
function judge(aim, variants, ratio) {
  const value = aim.on === 'ratio' ? ratio : variants[aim.on]?.[aim.stat ?? 'median'];
  if (value === undefined) return undefined;
  return (aim.max === undefined || value <= aim.max) && (aim.min === undefined || value >= aim.min);
}

function render(results, machine, quick) {
  const lines = [
    `## modmesh vs stock Module Federation${quick ? ' (quick run: sizes cut down, figures not meaningful)' : ''}`,
    '',
    `${machine.date}: ${machine.cpu} x${machine.cores}, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; webpack ${machine.versions.webpack}, @module-federation/enhanced ${machine.versions.enhanced}, @rspack/core ${machine.versions.rspack}`,
    '',
    '| scenario | measure | variant | median | min | max | p99 | ratio | aim | met |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    if (result.error) {
      lines.push(`| ${result.title} | **failed**: ${result.error.replaceAll('|', '/').slice(0, 200)} | | | | | | | | |`);
      continue;
    }
    for (const metric of result.metrics) {
      Object.entries(metric.variants).forEach(([variant, stat], index) => {
        const first = index === 0;
        lines.push(
          `| ${first ? result.title : ''} | ${first ? `${metric.name} (${metric.unit})` : ''} | ${variant} | ${fmt(stat.median)} | ${fmt(stat.min)} | ${fmt(stat.max)} | ${fmt(stat.p99)} | ${first && metric.ratio !== undefined ? `${metric.ratio.toFixed(2)}x ${metric.ratioLabel}` : ''} | ${first ? (metric.aim?.text ?? '') : ''} | ${first && metric.met !== undefined ? (metric.met ? 'yes' : '**no**') : ''} |`,
        );
      });
    }
  }
  const notes = results.flatMap((result) => (result.notes ?? []).map((note) => `- ${result.title}: ${note}`));
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}

function fmt(value) {
  if (value === undefined || Number.isNaN(value)) return '';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function describeMachine() {
  // Read from node_modules directly: some packages' "exports" hide their package.json.
  const version = (name) => {
    try {
      return JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return 'absent';
    }
  };
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    versions: { webpack: version('webpack'), enhanced: version('@module-federation/enhanced'), rspack: version('@rspack/core') },
  };
}
