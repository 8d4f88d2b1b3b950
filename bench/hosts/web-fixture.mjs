// What scenario 09 opens in the browser: the main application two ways, from the same LoginForm
// sources, every server a real process on loopback.
//   modmesh  examples/web-shell following auth@stable and user@stable at a registry started with
//            the CLI; releases hold node/ and web/ containers as `npm start` publishes them; the
//            auth and user services behind the shell's gateway. The setup of
//            test/e2e/src/browser.test.ts.
//   stock    bench/hosts/stock-web: its page and the stock LoginForm container, each on a static
//            server (static-server.mjs) of its own, as a page and a CDN would serve them.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { authServiceScript, buildAuth, cliScript, modmesh, root, startProcess, startRegistryWithAuth, userServiceScript } from '../lib.mjs';
import { buildStockWeb } from './stock-web/build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const staticServerScript = path.join(here, 'static-server.mjs');
const shellScript = path.join(root, 'examples/web-shell/dist/server/main.js');
const shellPage = path.join(root, 'examples/web-shell/dist/app/app.js');

// The Node container in each auth release is not on the page's path (the user service runs it):
// a quick run builds it with rspack, in a fraction of the time, as hosts/fixture.mjs does.
const NODE_BUNDLER = { full: 'webpack', quick: 'rspack' };

/**
 * Builds everything in `dir` (in parallel), starts both systems and returns
 * `{ modmesh: { url, publishAuth(build, version), moveStable(expect, version) }, stock: { url }, sizes, buildMs, reactVersion }`.
 * `titles` are the LoginForm titles of the two auth builds; the first is released as 1.0.0
 * stable, and is the default title the stock container is built with.
 */
export async function startWebFixture({ dir, quick, titles, privateKeyPem }) {
  if (!existsSync(shellPage) || !existsSync(shellScript)) throw new Error('the web shell is not built: run "npm run build" first');
  const builds = await buildAll({ dir, quick, titles, privateKeyPem });
  const modmeshSystem = await startModmesh({ dir, builds, privateKeyPem });
  const stockSystem = await startStock(builds.stock);
  const kB = (file) => Math.round(statSync(file).size / 1024);
  return {
    modmesh: modmeshSystem,
    stock: stockSystem,
    buildMs: builds.ms,
    reactVersion: JSON.parse(readFileSync(path.join(root, 'node_modules/react/package.json'), 'utf8')).version,
    sizes: {
      modmesh: { page: kB(shellPage), remoteEntry: kB(path.join(builds.authReleases[0], 'web/remoteEntry.js')) },
      stock: { page: kB(path.join(builds.stock.pageDir, 'app.js')), remoteEntry: kB(path.join(builds.stock.remoteDir, 'remoteEntry.js')) },
    },
  };
}

// --- internal ---

// Every build as its own process, all at once: the browser containers with `modmesh build`, the
// stock variant with stock-web/build.mjs, and the Node container (synchronously, while the
// others run) with the benchmarks' auth build.
async function buildAll({ dir, quick, titles, privateKeyPem }) {
  const startedAt = performance.now();
  const authReleases = titles.map((_, index) => path.join(dir, `auth-${index}`));
  const userRelease = path.join(dir, 'user');
  const running = [
    ...titles.map((title, index) =>
      buildWeb('examples/auth-service', authReleases[index], {
        AUTH_LOGIN_TITLE: title,
        AUTH_LOGIN_ACCENT: index === 0 ? '#4f46e5' : '#0f766e',
      }),
    ),
    buildWeb('examples/user-service', userRelease),
    buildStockWeb(path.join(dir, 'stock')),
  ];
  // Every build is waited for, failed or not, so none is left running behind an error.
  let nodeError;
  try {
    buildAuth({ outDir: path.join(authReleases[0], 'node'), privateKeyPem, bundler: quick ? NODE_BUNDLER.quick : NODE_BUNDLER.full });
  } catch (error) {
    nodeError = error;
  }
  const settled = await Promise.allSettled(running);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (nodeError || failed) throw nodeError ?? failed.reason;
  const stock = settled.at(-1).value;
  for (const release of authReleases.slice(1)) cpSync(path.join(authReleases[0], 'node'), path.join(release, 'node'), { recursive: true });
  return { authReleases, userRelease, stock, ms: performance.now() - startedAt };
}

async function startModmesh({ dir, builds, privateKeyPem }) {
  const registry = await startRegistryWithAuth(dir);
  const keys = path.join(dir, 'keys');
  modmesh(['keys', 'generate', '--out', keys, '--name', 'user'], registry.env);
  modmesh(['trust', 'add', 'user', path.join(keys, 'user.pub')], registry.env);
  registry.publish(builds.authReleases[0], '1.0.0', 'stable');
  modmesh(['publish', builds.userRelease, '--name', 'user', '--version', '1.0.0', '--key', path.join(keys, 'user.key'), '--tag', 'stable'], registry.env);

  const nodeRemote = path.join(builds.authReleases[0], 'node');
  const auth = await startProcess(authServiceScript, {
    env: { NODE_ENV: 'production', PORT: '0', AUTH_PRIVATE_KEY: privateKeyPem, AUTH_REMOTE_DIR: nodeRemote, AUTH_ENV_FILE: path.join(nodeRemote, 'none.env') },
  });
  const user = await startProcess(userServiceScript, {
    env: { PORT: '0', MODMESH_REGISTRY: registry.url, MODMESH_TRUST_AUTH: registry.publicKey, MODMESH_CACHE_DIR: path.join(dir, 'user-cache') },
  });
  const shell = await startProcess(shellScript, {
    env: {
      SHELL_PORT: '0',
      MODMESH_REGISTRY: registry.url,
      MODMESH_TRUST_AUTH: registry.publicKey,
      MODMESH_TRUST_USER: readFileSync(path.join(keys, 'user.pub'), 'utf8').trim(),
      AUTH_URL: auth.url,
      USER_URL: user.url,
    },
  });
  return {
    url: `${shell.url}/`,
    publishAuth: (build, version) => registry.publish(builds.authReleases[build], version),
    // The admin's compare-and-swap move, as the dashboard and scenario 04 make it.
    async moveStable(expect, version) {
      const response = await fetch(`${registry.url}/v1/remotes/auth/tags/stable`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${registry.env.MODMESH_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version, expect }),
      });
      if (!response.ok) throw new Error(`move stable to ${version}: ${response.status} ${await response.text()}`);
    },
  };
}

async function startStock({ pageDir, remoteDir }) {
  const remote = await startProcess(staticServerScript, { args: [remoteDir] });
  const page = await startProcess(staticServerScript, { args: [pageDir] });
  return { url: `${page.url}/index.html?remote=${encodeURIComponent(`${remote.url}/remoteEntry.js`)}` };
}

// A service's browser container into the release directory `releaseDir`, as its users build it.
function buildWeb(project, releaseDir, env = {}) {
  return runNode(cliScript, env, ['build', path.join(root, project), '--target', 'web', '--out', releaseDir]);
}

function runNode(script, env, args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.relative(root, script)}: exit ${code}\n${output}`))));
  });
}
