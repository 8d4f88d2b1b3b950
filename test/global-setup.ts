// Builds the auth service's container once per test run, with a key made for the run, for every
// test that loads it (in-process or through real processes).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AuthBuild, buildAuthRemote } from '@modmesh/test-utils';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    authBuild: AuthBuild;
    /** The same container built by rspack, with the same key. */
    authBuildRspack: AuthBuild;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modmesh-test-'));
  const authBuild = await buildAuthRemote(path.join(dir, 'auth-remote'));
  project.provide('authBuild', authBuild);
  project.provide(
    'authBuildRspack',
    await buildAuthRemote(path.join(dir, 'auth-remote-rspack'), { bundler: 'rspack', privateKeyPem: authBuild.privateKeyPem }),
  );
  return () => rmSync(dir, { recursive: true, force: true });
}
