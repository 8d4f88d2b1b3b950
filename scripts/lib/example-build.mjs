// What `npm start` builds, as incremental build steps (see incremental.mjs): every workspace
// package with a `build` script (tsc, and the web shell's page), then the containers the example
// services publish. Where each container goes is decided by the services' own compiled config
// (examples/auth-service/src/config.ts, examples/user-service/src/layout.ts), so the service that
// serves a container, the build that writes it and the publish step that uploads it share one
// answer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// What is read besides each workspace's own files: the shared compiler settings and the exact
// versions of every installed package.
const SHARED_INPUTS = ['tsconfig.base.json', 'package-lock.json'];

// Environment variables each container build reads (the examples' modmesh.config.ts); a change
// of one is a change of the build.
const AUTH_NODE_SETTINGS = ['AUTH_PRIVATE_KEY', 'AUTH_TRUSTED_KEYS', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_BUNDLER'];
const AUTH_WEB_SETTINGS = ['AUTH_LOGIN_TITLE', 'AUTH_LOGIN_ACCENT'];
// What every container build runs: `modmesh build`, from this checkout.
const MODMESH_CLI = 'packages/cli/bin/modmesh.js';
const BUILD_PACKAGES = ['@modmesh/build', '@modmesh/cli'];

/**
 * One step per workspace with a `build` script, after the workspaces it depends on.
 * @param {string} root the repository
 * @returns {import('./incremental.mjs').BuildStep[]}
 */
export function workspaceSteps(root) {
  const { workspaces } = readJson(path.join(root, 'package.json'));
  const packages = workspaces.map((dir) => ({ dir, ...readJson(path.join(root, dir, 'package.json')) }));
  const names = new Set(packages.map((pkg) => pkg.name));
  return packages
    .filter((pkg) => pkg.scripts?.build)
    .map((pkg) => {
      const dependsOn = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }).filter((name) => names.has(name));
      return {
        // Named after the package, so that other steps can build on it by that name.
        name: pkg.name,
        inputs: [pkg.dir, ...SHARED_INPUTS].map((input) => path.resolve(root, input)),
        after: dependsOn.filter((name) => packages.find((other) => other.name === name)?.scripts?.build),
        outputs: [path.join(root, pkg.dir, 'dist')],
        run: { command: 'npm', args: ['run', 'build', '--silent', '-w', pkg.name] },
      };
    });
}

/** Where the example services' releases are built, from their compiled config. Call after the workspace steps. */
export async function exampleLayout(root, env) {
  const { readAuthConfig } = await import(compiled(root, 'examples/auth-service/dist/server/config.js'));
  const { readUserLayout } = await import(compiled(root, 'examples/user-service/dist/layout.js'));
  return { auth: readAuthConfig(env), user: readUserLayout(env) };
}

/**
 * The containers the examples publish, each one `modmesh build --target T` of the service's
 * modmesh.config.ts: the auth service's Node container (./tokenValidator) and browser container
 * (./LoginForm), and the user service's browser container (./ProfileCard). `modmesh build`
 * replaces a target's directory only once it is complete, so the steps do not clean it first.
 * @returns {import('./incremental.mjs').BuildStep[]}
 */
export function containerSteps(root, layout, env) {
  const auth = 'examples/auth-service';
  const user = 'examples/user-service';
  const build = (dir, target, bundler) => ({ command: process.execPath, args: [MODMESH_CLI, 'build', dir, '--target', target, '--bundler', bundler] });
  return [
    {
      name: 'auth Node container',
      // The signing key in .env decides which public key the validator trusts.
      inputs: [`${auth}/src`, `${auth}/modmesh.config.ts`, `${auth}/tsconfig.json`, layout.auth.envFile, ...SHARED_INPUTS],
      settings: pick(env, AUTH_NODE_SETTINGS),
      after: ['@modmesh-example/auth-service', ...BUILD_PACKAGES],
      outputs: [layout.auth.remoteDir],
      run: build(auth, 'node', env.AUTH_BUNDLER ?? 'webpack'),
    },
    {
      name: 'auth browser container',
      inputs: [`${auth}/src/ui`, `${auth}/src/config.ts`, `${auth}/modmesh.config.ts`, `${auth}/tsconfig.json`, ...SHARED_INPUTS],
      settings: pick(env, AUTH_WEB_SETTINGS),
      after: BUILD_PACKAGES,
      outputs: [layout.auth.webDir],
      run: build(auth, 'web', 'webpack'),
    },
    {
      name: 'user browser container',
      inputs: [`${user}/src/ui`, `${user}/src/layout.ts`, `${user}/modmesh.config.ts`, `${user}/tsconfig.json`, ...SHARED_INPUTS],
      after: BUILD_PACKAGES,
      outputs: [layout.user.webDir],
      run: build(user, 'web', 'webpack'),
    },
  ].map((step) => ({ ...step, inputs: step.inputs.map((input) => path.resolve(root, input)) }));
}

// --- internal ---

function compiled(root, relative) {
  return pathToFileURL(path.join(root, relative)).href;
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function pick(env, names) {
  return Object.fromEntries(names.map((name) => [name, env[name] ?? null]));
}
