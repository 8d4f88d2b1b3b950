// Builds the stock Module Federation host into bench/hosts/stock/dist (main.cjs and its
// chunks) with webpack's Node API. The scenarios call ensureStockHost(), which builds it when
// dist is missing or older than the sources; run this file to rebuild by hand.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCES = [path.join(here, 'webpack.config.js'), ...readdirSync(path.join(here, 'src')).map((file) => path.join(here, 'src', file))];

/** The built host's entry script: run it with AUTH_REMOTE_URL and PORT. */
export const stockHostScript = path.join(here, 'dist/main.cjs');

/** Builds the stock host (in a child process) unless an up-to-date build is there; returns its script. */
export function ensureStockHost() {
  if (isUpToDate()) return stockHostScript;
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`stock host build: ${result.stderr || result.stdout}`);
  return stockHostScript;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();

// --- internal ---

async function build() {
  const { default: webpack } = await import('webpack');
  const { createStockHostConfig } = await import('./webpack.config.js');
  const startedAt = performance.now();
  const compiler = webpack(createStockHostConfig());
  const stats = await new Promise((resolve, reject) => compiler.run((error, result) => (error ? reject(error) : resolve(result))));
  await new Promise((resolve) => compiler.close(resolve));
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true, colors: false }));
  if (stats.hasWarnings()) console.warn(stats.toString({ all: false, warnings: true, colors: false }));
  console.log(`stock host built in ${path.relative(process.cwd(), path.dirname(stockHostScript)) || '.'} (${(performance.now() - startedAt).toFixed(0)} ms)`);
}

function isUpToDate() {
  let built;
  try {
    built = statSync(stockHostScript).mtimeMs;
  } catch {
    return false;
  }
  return SOURCES.every((source) => statSync(source).mtimeMs <= built);
}
