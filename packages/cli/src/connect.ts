import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRegistryClient, type RegistryClient, registryOrigin } from '@modmesh/api';
import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import { DEFAULT_REGISTRY, type ParsedArgs } from './args.js';
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
  try {
    registryOrigin(url, '--registry or MODMESH_REGISTRY');
  } catch (error) {
    // The one rule for a registry URL, reported as what it is here: a command-line mistake.
    if (!isModmeshError(error) || error.code !== 'MODMESH_CONFIG_INVALID') throw error;
    throw new ModmeshError('MODMESH_USAGE', error.message, { hint: error.hint });
  }
  let token = args.value('token');
  if (token === undefined && url.replace(/\/+$/, '') === DEFAULT_REGISTRY) token = localAdminToken(cwd, output);
  // A token that cannot be sent as a header would otherwise fail inside fetch as a "bug".
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new ModmeshError('MODMESH_USAGE', 'the token has spaces or characters that cannot be sent in a header', {
      hint: 'Pass the token exactly as printed.',
    });
  }
  const timeoutMs = httpTimeout(env);
  return createRegistryClient({
    url,
    token,
    // One deadline for the whole request, as MODMESH_HTTP_TIMEOUT_MS says.
    deadlines: { connectMs: timeoutMs, firstByteMs: timeoutMs, totalMs: timeoutMs },
    hints: {
      MODMESH_REMOTE_TIMEOUT: 'The registry is overloaded or stuck; check it, or raise MODMESH_HTTP_TIMEOUT_MS if it is legitimately slow.',
      MODMESH_REMOTE_UNREACHABLE: 'Check that the registry is running (`modmesh registry start`) and that --registry or MODMESH_REGISTRY points at it.',
    },
  });
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
