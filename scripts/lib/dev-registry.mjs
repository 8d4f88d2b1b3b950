// What `npm start` puts in its registry, as a team would with the CLI, made once under
// .modmesh/dev and reused on every later start:
// - a dev root of trust (TUF): one root key (threshold 1), the registry's own online key for
//   timestamp and snapshot, and for each remote its publisher key (who may publish) and the dev
//   mover key (who may move its tags). Hosts are given the root, nothing else;
// - a publish token per remote;
// - each remote's build, published in root mode (its release listed in `<remote>.releases`
//   signed by the publisher) and tagged stable by a mover-signed `<remote>.tags`.
// A registry left by an older `npm start` (publisher keys registered, no root) is adopted: its
// releases and tags are signed into the roles, so no host sees a tag go back.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const ROOT_KEY = 'root';
const MOVER_KEY = 'mover';

/**
 * @param {{ registryUrl: string, dataDir: string, devDir: string, cli: (args: string[], env?: object) => string, env: object, log: (line: string) => void, fail: (code: string, message: string, hint: string) => never }} options
 */
export function createDevRegistry({ registryUrl, dataDir, devDir, cli, env, log, fail }) {
  const trustDir = path.join(devDir, 'trust');
  const rootFile = path.join(trustDir, '1.root.json');
  const keyFile = (name) => path.join(devDir, `${name}.key`);
  const pubFile = (name) => path.join(devDir, `${name}.pub`);

  function ensureKey(name) {
    mkdirSync(devDir, { recursive: true, mode: 0o700 });
    if (!existsSync(keyFile(name))) cli(['keys', 'generate', '--out', devDir, '--name', name], env);
  }

  function publishToken(remote) {
    const tokenFile = path.join(devDir, `${remote}.token`);
    if (!existsSync(tokenFile)) {
      const { token } = JSON.parse(cli(['token', 'create', '--remote', remote, '--label', 'npm start', '--json'], env));
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    }
    return readFileSync(tokenFile, 'utf8').trim();
  }

  return {
    /** The file hosts are given as MODMESH_ROOT. */
    rootFile,

    /**
     * Makes the dev root of trust for `remotes` and pushes it, unless the registry already
     * serves this very root. Returns the root file.
     */
    async ensureRoot(remotes) {
      const served = await fetchBytes(`${registryUrl}/v1/tuf/metadata/1.root.json`);
      if (served && existsSync(rootFile) && Buffer.compare(served, readFileSync(rootFile)) === 0) return rootFile;
      if (served) {
        fail(
          'MODMESH_START_FAILED',
          `the example registry in ${path.relative(process.cwd(), dataDir) || dataDir} serves a root of trust npm start did not make (or whose files in ${devDir} are gone)`,
          `Start from a fresh example registry: remove ${dataDir} and ${path.join(path.dirname(dataDir), 'cache')}, then npm start again.`,
        );
      }
      for (const name of [ROOT_KEY, MOVER_KEY, ...remotes]) ensureKey(name);
      const online = JSON.parse(cli(['registry', 'online-key', 'print', '--data', dataDir, '--json'], env)).keys[0].publicKey;
      rmSync(trustDir, { recursive: true, force: true });
      cli(['root', 'create', '--root-key', pubFile(ROOT_KEY), '--threshold', '1', '--online-key', online, '--dir', trustDir], env);
      for (const remote of remotes) {
        cli(['root', 'add-remote', remote, '--publisher', pubFile(remote), '--mover', pubFile(MOVER_KEY), '--dir', trustDir], env);
      }
      const targets = readdirSync(trustDir)
        .filter((file) => file.endsWith('.targets.json'))
        .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
        .at(-1);
      cli(['root', 'sign', rootFile, '--key', keyFile(ROOT_KEY)], env);
      cli(['root', 'sign', path.join(trustDir, targets), '--key', keyFile(ROOT_KEY)], env);
      cli(['root', 'push', '--dir', trustDir], env);
      log(`> root of trust made and pushed (${path.relative(process.cwd(), rootFile)}): ${remotes.join(', ')} delegated to their dev publisher and mover keys`);
      for (const remote of remotes) await adoptLegacy(remote);
      return rootFile;
    },

    /**
     * Publishes a remote's release directory as 1.0.0 tagged stable; when that version already
     * holds other bytes (the code changed since), as the next patch version. The same bytes are
     * not republished: stable is moved back to them (a signed rollback when that is going back).
     */
    async publishBuild(remote, dir) {
      const local = new Map(listFiles(dir).map((file) => [file, sha256(readFileSync(path.join(dir, file)))]));
      const known = await fetchJson(`${registryUrl}/v1/remotes/${remote}`);
      // Its own releases: `modmesh dev` may publish prereleases (1.0.1-dev.3) to this registry too.
      const versions = (known.versions ?? [])
        .map((entry) => entry.version)
        .filter((version) => semver.prerelease(version) === null)
        .sort(semver.compare);
      const stable = (known.tags ?? []).find((tag) => tag.tag === 'stable')?.version ?? null;
      const asMover = { ...env, MODMESH_TOKEN: publishToken(remote), MODMESH_ROOT: rootFile };
      for (const version of versions) {
        const { manifest } = await fetchJson(`${registryUrl}/v1/remotes/${remote}/releases/${version}`);
        const same = manifest.files.length === local.size && manifest.files.every((file) => local.get(file.path) === file.sha256);
        if (!same) continue;
        if (stable !== version) {
          const back = stable !== null && semver.lt(version, stable);
          cli(['tag', 'set', remote, 'stable', version, '--key', keyFile(MOVER_KEY), '--reason', 'npm start', ...(back ? ['--rollback'] : [])], asMover);
        }
        log(`> ${remote}@${version} already holds this build`);
        return version;
      }
      const latest = versions.at(-1);
      const version = latest ? semver.inc(latest, 'patch') : '1.0.0';
      cli(
        [
          'publish',
          dir,
          '--name',
          remote,
          '--version',
          version,
          '--key',
          keyFile(remote),
          '--tag',
          'stable',
          '--mover-key',
          keyFile(MOVER_KEY),
          '--reason',
          'npm start',
        ],
        asMover,
      );
      log(`> published ${remote}@${version} and tagged it stable (signed by its publisher and the dev mover)`);
      return version;
    },
  };

  // A remote published before the root existed: its releases and tags signed into its roles.
  async function adoptLegacy(remote) {
    const known = await fetchJson(`${registryUrl}/v1/remotes/${remote}`);
    if (!known.versions?.length) return;
    const asMover = { ...env, MODMESH_TOKEN: publishToken(remote), MODMESH_ROOT: rootFile };
    cli(['releases', 'adopt', remote, '--key', keyFile(remote)], asMover);
    if (known.tags?.length) cli(['tags', 'adopt', remote, '--key', keyFile(MOVER_KEY)], asMover);
    log(`> ${remote}: ${known.versions.length} release(s) published before the root adopted into ${remote}.releases`);
  }
}

// --- internal ---

async function fetchBytes(url) {
  const response = await fetch(url);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (response.status === 404) return {};
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

// Every regular file under dir, as forward-slash paths relative to it.
function listFiles(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listFiles(dir, relative);
    return entry.isFile() ? [relative] : [];
  });
}
