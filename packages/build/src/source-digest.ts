import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * A short hex digest of every file under `paths` (by relative path and content) and of `extra`
 * (defines, options): the same inputs give the same id, so a rebuild of unchanged sources gives
 * byte-identical output, and two different builds never share page-global names. Installed
 * packages, dot-files and the `exclude` paths (a build's own output) are not sources.
 */
export function sourceDigest(paths: readonly string[], extra: unknown = null, exclude: readonly string[] = []): string {
  const hash = createHash('sha256');
  const skip = new Set(exclude.map((each) => path.resolve(each)));
  for (const root of paths) {
    for (const file of listFiles(root, skip)) {
      hash.update(`${path.relative(root, file).split(path.sep).join('/')}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  hash.update(JSON.stringify(extra));
  return hash.digest('hex').slice(0, DIGEST_LENGTH);
}

// --- internal ---

// 48 bits: collisions between builds of one remote are not a practical concern.
const DIGEST_LENGTH = 12;

const NOT_SOURCES = new Set(['node_modules', 'dist']);

function listFiles(root: string, skip: ReadonlySet<string>): string[] {
  if (statSync(root).isFile()) return [root];
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(root, entry.name);
    if (NOT_SOURCES.has(entry.name) || entry.name.startsWith('.') || skip.has(full)) continue;
    if (entry.isDirectory()) found.push(...listFiles(full, skip));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}
