import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the auth service finds its files, and the claims its tokens carry: one place for both
 * the server and the container build, so the two cannot disagree. */
export interface AuthConfig {
  envFile: string;
  remoteDir: string;
  issuer: string;
  audience: string;
}

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function readAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  return {
    envFile: path.resolve(env.AUTH_ENV_FILE ?? path.join(packageDir, '.env')),
    remoteDir: path.resolve(env.AUTH_REMOTE_DIR ?? path.join(packageDir, 'dist/remote')),
    issuer: env.AUTH_ISSUER ?? 'modmesh-example-auth',
    audience: env.AUTH_AUDIENCE ?? 'modmesh-example-api',
  };
}
