import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';

/**
 * The service directories `modmesh dev` watches: those named, or else every directory of the
 * workspace at `root` that holds a modmesh config: the workspaces its package.json lists (a path,
 * or a path ending in `/*`), or without any, the directories below it (three levels, not
 * node_modules, dist or dot-directories), and the root itself.
 */
export function findServices(root: string, named: readonly string[], configFiles: readonly string[]): string[] {
  const hasConfig = (dir: string): boolean => configFiles.some((file) => existsSync(path.join(dir, file)));
  if (named.length > 0) return named.map((dir) => path.resolve(root, dir));
  const candidates = workspacesOf(root) ?? below(root, SCAN_DEPTH);
  const found = [root, ...candidates].filter(hasConfig);
  if (found.length === 0) {
    throw new ModmeshError('MODMESH_USAGE', `modmesh dev: no service with a ${configFiles[0]} in ${root} or its workspaces`, {
      hint: 'Run it at the root of your workspace, or name the services: modmesh dev services/auth services/billing.',
    });
  }
  return [...new Set(found)];
}

// --- internal ---

const SCAN_DEPTH = 3;
const SKIPPED = new Set(['node_modules', 'dist', 'build', 'coverage']);

function workspacesOf(root: string): string[] | undefined {
  let manifest: { workspaces?: string[] | { packages?: string[] } };
  try {
    manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const patterns = Array.isArray(manifest.workspaces) ? manifest.workspaces : manifest.workspaces?.packages;
  if (!patterns) return undefined;
  return patterns.flatMap((pattern) => (pattern.endsWith('/*') ? children(path.join(root, pattern.slice(0, -2))) : [path.join(root, pattern)]));
}

function below(dir: string, depth: number): string[] {
  if (depth === 0) return [];
  return children(dir).flatMap((child) => [child, ...below(child, depth - 1)]);
}

function children(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED.has(entry.name))
      .map((entry) => path.join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}
