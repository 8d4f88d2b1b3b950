import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface AuthBuild {
  /** The built Node container: remoteEntry.js, chunks, mf-manifest.json, modmesh-build.json (`node/` of the release `modmesh build` wrote). */
  remoteDir: string;
  /** The PEM of the key the build trusts, to run the auth service with. */
  privateKeyPem: string;
}

/** Environment that makes the auth service and its build use exactly this key, and no `.env`. */
export function authEnv(build: AuthBuild): Record<string, string> {
  return {
    NODE_ENV: 'production',
    AUTH_PRIVATE_KEY: build.privateKeyPem,
    AUTH_REMOTE_DIR: build.remoteDir,
    AUTH_ENV_FILE: path.join(build.remoteDir, 'no-such.env'),
  };
}

/**
 * Builds the auth service's Node container as its users do, `modmesh build --target node` of its
 * modmesh.config.ts, into the release directory `outDir` (the container in `outDir/node`), with
 * a fresh key pair unless one is given (to build the same container with both bundlers).
 */
export async function buildAuthRemote(outDir: string, options: { bundler?: 'webpack' | 'rspack'; privateKeyPem?: string } = {}): Promise<AuthBuild> {
  const cli = requireCompiled('packages/cli/dist/index.js') && path.join(repoRoot, 'packages/cli/bin/modmesh.js');
  const privateKeyPem =
    options.privateKeyPem ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const build = { remoteDir: path.join(outDir, 'node'), privateKeyPem };
  await promisify(execFile)(
    process.execPath,
    [cli, 'build', 'examples/auth-service', '--target', 'node', '--bundler', options.bundler ?? 'webpack', '--out', outDir],
    { cwd: repoRoot, env: { ...process.env, ...authEnv(build) } },
  );
  return build;
}

/** Fails with a clear message when a test runs before `npm run build`. */
export function requireCompiled(relativePath: string): string {
  const file = path.join(repoRoot, relativePath);
  if (!existsSync(file)) throw new Error(`${relativePath} is missing: run "npm run build" first (npm test does).`);
  return file;
}
