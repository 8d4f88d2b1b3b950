// `modmesh build` of the auth remote's Node container (examples/auth-service/modmesh.config.ts)
// with webpack vs rspack: the README's "build complexity" figures measured the way a developer
// meets them, as the wall time of the command, Node's start, loading the config and the
// bundler, and renaming the release into place included.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { alternate, authKey, buildAuth, workDir } from '../lib.mjs';

export const title = 'Build';

const VARIANTS = ['webpack', 'rspack'];
const FULL_ROUNDS = 5;
const QUICK_ROUNDS = 1;

export async function run({ quick, log }) {
  const dir = workDir('build');
  const privateKeyPem = authKey();
  const outDirs = {};
  const samples = await alternate(quick ? QUICK_ROUNDS : FULL_ROUNDS, VARIANTS, async function build(bundler, round) {
    // A fresh directory per build: no bundler cache is configured, so every round is a full build.
    const outDir = path.join(dir, `${bundler}-${round}`);
    const ms = buildAuth({ outDir, privateKeyPem, bundler });
    log(`${bundler} round ${round + 1}: ${ms.toFixed(0)} ms`);
    outDirs[bundler] = outDir;
    return ms;
  });
  const sizes = VARIANTS.map(function describe(bundler) {
    const { files, bytes } = dirSize(outDirs[bundler]);
    return `${bundler} ${files} files, ${bytes} bytes (${(bytes / 1024).toFixed(0)} KiB)`;
  });
  return {
    // Reported, not aimed at: run.mjs judges an aim without bounds as met, which would print a
    // "yes" for a figure nobody set a target for.
    metrics: [{ name: '`modmesh build` of the auth remote (Node container), wall time', unit: 'ms', variants: samples, ratio: ['rspack', 'webpack'] }],
    notes: [`output of the last round, source maps included: ${sizes.join('; ')}`],
  };
}

// --- internal ---

function dirSize(dir) {
  const files = readdirSync(dir, { recursive: true })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
  return { files: files.length, bytes: files.reduce((total, file) => total + statSync(file).size, 0) };
}
