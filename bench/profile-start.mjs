// CPU profiles of the hosts' start-up, the figures behind scenarios 01 and 02: each variant
// started with `--cpu-prof` until its first 200 on /profile (modmesh cold, with an empty cache;
// modmesh warm, with the cache and compiled code the cold start left; stock; local), then the
// top items by self time, by function and by package. The .cpuprofile files stay in the printed
// directory (open them in Chrome DevTools). Run after `npm run build`.
//   node bench/profile-start.mjs [--top N]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startUserServiceFixture } from './hosts/fixture.mjs';
import { stopAll, workDir } from './lib.mjs';

const argv = process.argv.slice(2);
const TOP = argv.includes('--top') ? Number(argv[argv.indexOf('--top') + 1]) : 12;

const dir = workDir('profile-start');
try {
  const fixture = await startUserServiceFixture({ name: 'profile-start', quick: false, variants: ['modmesh', 'stock', 'local'] });
  const cacheDir = path.join(dir, 'cache');
  for (const [label, variant] of [
    ['modmesh-cold', 'modmesh'],
    ['modmesh-warm', 'modmesh'],
    ['stock', 'stock'],
    ['local', 'local'],
  ]) {
    const profileDir = path.join(dir, label);
    const times = await fixture.timeStart(variant, { cacheDir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
    const [file] = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
    console.log(`\n## ${label}: first 200 after ${times.firstOkMs.toFixed(0)} ms (listening ${times.listeningMs.toFixed(0)} ms)`);
    console.log(summarize(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8'))));
  }
  console.log(`\nprofiles in ${dir}`);
} finally {
  await stopAll();
}

// --- internal ---

// Self time of every node of a profile, summed by function (name and file:line) and by package.
function summarize(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (const [index, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  const total = [...self.values()].reduce((sum, ms) => sum + ms, 0);
  const byFunction = new Map();
  const byPackage = new Map();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const fn = `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byPackage.set(packageOf(url, functionName), (byPackage.get(packageOf(url, functionName)) ?? 0) + ms);
  }
  const rows = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([name, ms]) => `| ${name} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)}% |`)
      .join('\n');
  return [
    `profiled ${total.toFixed(0)} ms`,
    '',
    '| by package | self ms | share |\n|---|---|---|',
    rows(byPackage),
    '',
    '| by function | self ms | share |\n|---|---|---|',
    rows(byFunction),
  ].join('\n');
}

function shortUrl(url) {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const packages = url.search(/(packages|examples|bench)\//);
  return packages >= 0 ? url.slice(packages) : url;
}

function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(V8 / native)';
  if (url.startsWith('node:')) return 'node: built-ins';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const own = url.match(/(packages|examples)\/([^/]+)/);
  if (own) return `${own[1]}/${own[2]}${url.includes('/dist/bundle/') ? ' (bundle)' : ''}`;
  if (url.includes('/bench/')) return 'bench host';
  return url.startsWith('file:') || url.startsWith('/') ? '(release or other file)' : url;
}
