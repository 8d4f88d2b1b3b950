import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RELEASE_TARGET_DIRS } from '@modmesh/manifest';

/** Where the user service's release is built: one place for modmesh.config.ts and `npm start`. */
export interface UserLayout {
  /** The release `npm start` publishes as the remote `user`. */
  releaseDir: string;
  /** The browser container (./ProfileCard). */
  webDir: string;
}

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `USER_RELEASE_DIR` moves the release (tests build into temporary directories). */
export function readUserLayout(env: NodeJS.ProcessEnv): UserLayout {
  const releaseDir = path.resolve(env.USER_RELEASE_DIR ?? path.join(packageDir, 'dist/release'));
  return { releaseDir, webDir: path.join(releaseDir, RELEASE_TARGET_DIRS.web) };
}
