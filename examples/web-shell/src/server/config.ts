import { readFileSync } from 'node:fs';

/** What the shell's server needs, from the environment. */
export interface ShellConfig {
  port: number;
  host: string;
  /** The registry's URL as the browser reaches it. */
  registry: string;
  /** Which release of each remote the page follows. */
  remotes: { auth: string; user: string };
  /**
   * The root of trust (TUF) the page verifies every remote from: the text of `root.json`, exactly
   * as signed. Without it, `trust` names the keys the page trusts.
   */
  root?: string;
  /** Publisher keys the page trusts, per remote name (without a root). */
  trust?: Record<string, string[]>;
  /** A read token for a registry that requires one; every visitor of the page can read it. */
  token?: string;
  /** Where the gateway forwards /api/auth/* and /api/user/*. */
  upstreams: { auth: string; user: string };
  /** Gateway deadline for an upstream answer. */
  upstreamDeadlineMs: number;
  /** The built page (app.js and its source map). */
  appDir: string;
}

export class ShellConfigError extends Error {
  constructor(
    message: string,
    readonly code: 'SHELL_CONFIG_INVALID' | 'MODMESH_CONFIG_INVALID' | 'MODMESH_ROOT_INVALID' = 'SHELL_CONFIG_INVALID',
  ) {
    super(message);
  }
}

export function readShellConfig(env: NodeJS.ProcessEnv, appDir: string): ShellConfig {
  const registry = env.MODMESH_REGISTRY ?? 'http://127.0.0.1:4000';
  const auth = env.AUTH_REMOTE ?? 'auth@stable';
  const user = env.USER_REMOTE ?? 'user@stable';
  const token = env.MODMESH_READ_TOKEN?.trim();
  return {
    port: Number(env.SHELL_PORT ?? env.PORT ?? 8080),
    host: env.SHELL_HOST ?? env.HOST ?? '127.0.0.1',
    registry,
    remotes: { auth, user },
    ...(env.MODMESH_ROOT ? { root: rootOf(env) } : { trust: trustOf(env, auth, user) }),
    ...(token && { token }),
    upstreams: { auth: env.AUTH_URL ?? 'http://127.0.0.1:3001', user: env.USER_URL ?? 'http://127.0.0.1:3000' },
    upstreamDeadlineMs: Number(env.UPSTREAM_DEADLINE_MS ?? 5000),
    appDir,
  };
}

// --- internal ---

// A root is one trusted thing instead of a key per remote: both at once would leave it unclear which one decides.
function rootOf(env: NodeJS.ProcessEnv): string {
  const keyed = TRUST_VARIABLES.filter((variable) => env[variable]);
  if (keyed.length > 0) {
    throw new ShellConfigError(
      `MODMESH_ROOT and ${keyed.join(', ')} are both set: with a root, who may publish each remote is in its signed metadata; unset ${keyed.join(', ')}`,
      'MODMESH_CONFIG_INVALID',
    );
  }
  const file = env.MODMESH_ROOT as string;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ShellConfigError(
      `MODMESH_ROOT=${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause}): point it at root.json from \`modmesh root pull\``,
    );
  }
  let type: unknown;
  try {
    type = (JSON.parse(text) as { signed?: { _type?: unknown } } | null)?.signed?._type;
  } catch {}
  if (type !== 'root') {
    throw new ShellConfigError(`MODMESH_ROOT=${file} is not a TUF root document (root.json, as \`modmesh root pull\` writes it)`, 'MODMESH_ROOT_INVALID');
  }
  return text;
}

function trustOf(env: NodeJS.ProcessEnv, auth: string, user: string): Record<string, string[]> {
  const trust = { [remoteName(auth)]: keys(env, 'AUTH'), [remoteName(user)]: keys(env, 'USER') };
  for (const [name, list] of Object.entries(trust)) {
    if (list.length === 0) {
      throw new ShellConfigError(
        `no publisher key is trusted for the ${name} remote: set MODMESH_TRUST_${name === remoteName(auth) ? 'AUTH' : 'USER'} (ed25519:...) or its _FILE variant, or MODMESH_ROOT; \`npm start\` does this for you`,
      );
    }
  }
  return trust;
}

const TRUST_VARIABLES = ['MODMESH_TRUST_AUTH', 'MODMESH_TRUST_AUTH_FILE', 'MODMESH_TRUST_USER', 'MODMESH_TRUST_USER_FILE'];

function remoteName(spec: string): string {
  return spec.split('@')[0] ?? spec;
}

function keys(env: NodeJS.ProcessEnv, which: 'AUTH' | 'USER'): string[] {
  const inline = env[`MODMESH_TRUST_${which}`];
  const file = env[`MODMESH_TRUST_${which}_FILE`];
  return [...(inline ? inline.split(',') : []), ...(file ? [readFileSync(file, 'utf8')] : [])].map((key) => key.trim()).filter(Boolean);
}
