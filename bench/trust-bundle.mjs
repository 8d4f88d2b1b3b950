// node bench/trust-bundle.mjs   (after npm run build)
// What @modmesh/trust adds to a browser page: webpack 5.111.1 production builds (target web) of
//   trust     a tiny entry using the verifier (root, cycle, persisted set, desiredRelease, R1, S);
//   baseline  what the web shell's host already bundles for releases (@modmesh/manifest/web's
//             verifier, semver, zod/mini);
//   both      the two together: both − baseline is what the page would grow by.
// Prints minified and gzipped bytes; asserts nothing (the design's budget is ≤ 20 KB min added).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import webpack from 'webpack';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(tmpdir(), 'modmesh-trust-bundle-'));

const trust = `import { createTrustedSet, createWebCrypto, desiredRelease, loadTrustedRoot, restoreTrustedSet, runCycle, serializeTrustedSet, staleness, verifyReleaseDocument } from '@modmesh/trust';
globalThis.trust = { createTrustedSet, createWebCrypto, desiredRelease, loadTrustedRoot, restoreTrustedSet, runCycle, serializeTrustedSet, staleness, verifyReleaseDocument };`;
const baseline = `import { importTrustedKeys, verifyReleaseWeb, specKindOf } from '@modmesh/manifest/web';
import semver from 'semver';
import * as z from 'zod/mini';
globalThis.base = { importTrustedKeys, verifyReleaseWeb, specKindOf, maxSatisfying: semver.maxSatisfying, object: z.object };`;
const entries = { trust, baseline, both: `${trust}\n${baseline}` };

try {
  const sizes = {};
  for (const [name, source] of Object.entries(entries)) {
    const dir = path.join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'entry.mjs'), source);
    await build(dir);
    const bytes = readFileSync(path.join(dir, 'dist', 'main.js'));
    sizes[name] = { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`webpack ${webpack.version}, mode production, target web\n`);
  console.log('| bundle | min | gzip |');
  console.log('|---|---|---|');
  for (const [name, size] of Object.entries(sizes)) console.log(`| ${name} | ${kb(size.min)} | ${kb(size.gzip)} |`);
  console.log(
    `| **added by @modmesh/trust** (both − baseline) | **${kb(sizes.both.min - sizes.baseline.min)}** | **${kb(sizes.both.gzip - sizes.baseline.gzip)}** |`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

// --- internal ---

function build(dir) {
  const config = {
    mode: 'production',
    target: 'web',
    context: dir,
    entry: './entry.mjs',
    output: { path: path.join(dir, 'dist'), filename: 'main.js' },
    resolve: { modules: [path.join(root, 'node_modules')] },
    performance: { hints: false },
  };
  return new Promise((resolve, reject) => {
    webpack(config).run((error, stats) => {
      if (error || stats?.hasErrors()) reject(error ?? new Error(stats.toString({ all: false, errors: true })));
      else resolve();
    });
  });
}
