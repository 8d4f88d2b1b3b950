import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requireCompiled } from './builds.js';
import { runScript, type ScriptResult, type ServiceProcess, startService } from './process.js';

/** A registry started by `modmesh registry start`, and `modmesh` commands against it, each its own process. */
export interface CliRegistry {
  readonly url: string;
  readonly service: ServiceProcess;
  /** The admin token the registry generated. */
  readonly admin: string;
  /** `modmesh ARGS` against this registry (no token unless given in `env`). */
  modmesh(args: string[], env?: Record<string, string | undefined>): Promise<ScriptResult>;
  /** A publisher of `remote`: a key made by `modmesh keys generate`, trusted for it, and a publish token scoped to it. */
  addPublisher(remote: string): Promise<CliPublisher>;
}

export interface CliPublisher {
  readonly remote: string;
  readonly publicKey: string;
  /** The publisher's private key file and publish token, for a `modmesh` other than this checkout's. */
  readonly keyFile: string;
  readonly token: string;
  /** `modmesh publish DIR --name REMOTE --version VERSION ...more` with this publisher's key and token. */
  publish(dir: string, version: string, ...more: string[]): Promise<ScriptResult>;
}

/** Starts the registry with its data in `work/registry`; keys go to `work/keys`. Stop it with stopAllServices(). */
export async function startCliRegistry(work: string): Promise<CliRegistry> {
  const cli = requireCompiled('packages/cli/bin/modmesh.js');
  const dataDir = path.join(work, 'registry');
  const service = await startService({ script: cli, args: ['registry', 'start', '--port', '0', '--data', dataDir], env: { MODMESH_ADMIN_TOKEN: undefined } });
  const admin = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  const modmesh = (args: string[], env: Record<string, string | undefined> = {}): Promise<ScriptResult> =>
    runScript({ script: cli, args, cwd: work, env: { MODMESH_REGISTRY: service.url, MODMESH_TOKEN: undefined, MODMESH_KEY: undefined, ...env } });
  const succeed = async (args: string[], env: Record<string, string | undefined> = {}): Promise<string> => {
    const result = await modmesh(args, env);
    if (result.code !== 0) throw new Error(`modmesh ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
    return result.stdout;
  };

  return {
    url: service.url,
    service,
    admin,
    modmesh,
    async addPublisher(remote) {
      await succeed(['keys', 'generate', '--out', 'keys', '--name', remote]);
      const keyFile = path.join(work, 'keys', `${remote}.key`);
      const publicKey = readFileSync(path.join(work, 'keys', `${remote}.pub`), 'utf8').trim();
      await succeed(['trust', 'add', remote, path.join(work, 'keys', `${remote}.pub`)], { MODMESH_TOKEN: admin });
      const { token } = JSON.parse(await succeed(['token', 'create', '--remote', remote, '--json'], { MODMESH_TOKEN: admin })) as { token: string };
      return {
        remote,
        publicKey,
        keyFile,
        token,
        publish: (dir, version, ...more) =>
          modmesh(['publish', dir, '--name', remote, '--version', version, ...more], { MODMESH_TOKEN: token, MODMESH_KEY: keyFile }),
      };
    },
  };
}
