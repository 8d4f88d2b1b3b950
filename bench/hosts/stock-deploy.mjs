// A new release, the stock Module Federation way: a build copied into the directory a static
// server serves its remote from (bench/hosts/static-server.mjs). Shared by the swap-latency and
// memory benchmarks, so the stock hosts there see releases the same way.
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../lib.mjs';

// The file a stock host registers and polls; written last, so a host that sees it finds every
// chunk it references already in place.
const ENTRY = 'remoteEntry.js';

// Chunk names carry a content hash (`[name].[contenthash:12].js`): one that is already there has
// the same bytes. Everything else (manifests, stats) is overwritten.
const CONTENT_HASHED = /\.[0-9a-f]{12}\.js(\.map)?$/;

/**
 * Deploys `buildDir` into `servedDir` as a deploy that never deletes old chunks does (deleting
 * them breaks hosts still running the old entry: MF-NODE-FACTS.md): chunks first, then
 * `remoteEntry.js` by an atomic rename. `label` is appended to the entry as a comment, so every
 * release has its own bytes even when the build is the same.
 * Returns `{ build, visibleAt }`: the build's id as the stock host logs it (first 12 hex digits
 * of the entry's SHA-256), and the time (epoch ms) the new entry became visible.
 */
export function deployStockBuild({ buildDir, servedDir, label }) {
  for (const file of readdirSync(buildDir)) {
    const from = path.join(buildDir, file);
    const to = path.join(servedDir, file);
    if (file === ENTRY || !statSync(from).isFile()) continue;
    if (CONTENT_HASHED.test(file) && existsSync(to)) continue;
    copyAtomically(from, to);
  }
  const entry = Buffer.concat([readFileSync(path.join(buildDir, ENTRY)), Buffer.from(`\n// release ${label}\n`)]);
  const temporary = path.join(servedDir, `${ENTRY}.${process.pid}.tmp`);
  writeFileSync(temporary, entry);
  const visibleAt = Date.now();
  renameSync(temporary, path.join(servedDir, ENTRY));
  return { build: sha256(entry).slice(0, 12), visibleAt };
}

// --- internal ---

function copyAtomically(from, to) {
  const temporary = `${to}.${process.pid}.tmp`;
  copyFileSync(from, temporary);
  renameSync(temporary, to);
}
