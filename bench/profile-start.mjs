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
import { summarizeProfile } from './profile-summary.mjs';

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
    console.log(summarizeProfile(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')), { top: TOP }));
  }
  console.log(`\nprofiles in ${dir}`);
} finally {
  await stopAll();
}
