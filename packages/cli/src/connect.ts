import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import { DEFAULT_REGISTRY, type ParsedArgs } from './args.js';
import { createRegistryClient, type RegistryClient } from './client.js';
import type { Output } from './output.js';

/**
 * Where `modmesh registry start` keeps its data by default; the same as the registry's
 * DEFAULT_DATA_DIR (a test pins that). Not imported from there: loading the registry package
 * (Fastify, SQLite) would slow every command down.
 */
export const LOCAL_DATA_DIR = '.modmesh/registry';

/** Each request's deadline, from sending it to having read the whole answer. */
const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/**
 * The registry client a command's global options ask for: --registry / MODMESH_REGISTRY,
 * --token / MODMESH_TOKEN, MODMESH_HTTP_TIMEOUT_MS. With no token at all, a local registry
 * started from this directory is used with its admin token, and the user is told so.
 */
export function connect(args: ParsedArgs, env: NodeJS.ProcessEnv, cwd: string, output: Output): RegistryClient {
  const url = args.need('registry');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ModmeshError('MODMESH_USAGE', `--registry ${JSON.stringify(url)} is not an http(s) URL`, { hint: `For example ${DEFAULT_REGISTRY}.` });
  }
  // The registry serves its API at /v1 below its origin; a URL with a path (copied from a
  // browser: .../health, .../v1/remotes) would only ever meet "no route" answers.
  if (parsed.pathname.replace(/\/+$/, '') !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new ModmeshError(
      'MODMESH_USAGE',
      `the registry URL ${JSON.stringify(url)} (--registry or MODMESH_REGISTRY) has a path (${parsed.pathname}${parsed.search}${parsed.hash}); it must be the registry's own address`,
      { hint: `Use ${parsed.origin}, as \`modmesh registry start\` prints it in its "listening" line.` },
    );
  }
  let token = args.value('token');
  if (token === undefined && url.replace(/\/+$/, '') === DEFAULT_REGISTRY) token = localAdminToken(cwd, output);
  // A token that cannot be sent as a header would otherwise fail inside fetch as a "bug".
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new ModmeshError('MODMESH_USAGE', 'the token has spaces or characters that cannot be sent in a header', {
      hint: 'Pass the token exactly as printed.',
    });
  }
  return createRegistryClient({ url, token, timeoutMs: httpTimeout(env) });
}

// --- internal ---

function localAdminToken(cwd: string, output: Output): string | undefined {
  const file = path.join(cwd, LOCAL_DATA_DIR, 'admin-token');
  if (!existsSync(file)) return undefined;
  output.note(`using the admin token of the local registry (${path.relative(cwd, file)})`);
  return readFileSync(file, 'utf8').trim() || undefined;
}

function httpTimeout(env: NodeJS.ProcessEnv): number {
  const text = env.MODMESH_HTTP_TIMEOUT_MS;
  if (!text) return DEFAULT_HTTP_TIMEOUT_MS;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ModmeshError('MODMESH_USAGE', `MODMESH_HTTP_TIMEOUT_MS=${JSON.stringify(text)} is not a positive number of milliseconds`, {
      hint: `Leave it unset for ${DEFAULT_HTTP_TIMEOUT_MS} ms.`,
    });
  }
  return value;
}
