import { readFileSync } from 'node:fs';

/** What the shell's server needs, from the environment. */
export interface ShellConfig {
  port: number;
  host: string;
  /** The registry's URL as the browser reaches it. */
  registry: string;
  /** Which release of each remote the page follows. */
  remotes: { auth: string; user: string };
  /** Publisher keys the page trusts, per remote name. */
  trust: Record<string, string[]>;
  /** Where the gateway forwards /api/auth/* and /api/user/*. */
  upstreams: { auth: string; user: string };
  /** Gateway deadline for an upstream answer. */
  upstreamDeadlineMs: number;
  /** The built page (app.js and its source map). */
  appDir: string;
}

export class ShellConfigError extends Error {
  readonly code = 'SHELL_CONFIG_INVALID';
}

export function readShellConfig(env: NodeJS.ProcessEnv, appDir: string): ShellConfig {
  const registry = env.MODMESH_REGISTRY ?? 'http://127.0.0.1:4000';
  const auth = env.AUTH_REMOTE ?? 'auth@stable';
  const user = env.USER_REMOTE ?? 'user@stable';
  const trust = { [remoteName(auth)]: keys(env, 'AUTH'), [remoteName(user)]: keys(env, 'USER') };
  for (const [name, list] of Object.entries(trust)) {
    if (list.length === 0) {
      throw new ShellConfigError(
        `no publisher key is trusted for the ${name} remote: set MODMESH_TRUST_${name === remoteName(auth) ? 'AUTH' : 'USER'} (ed25519:...) or its _FILE variant; \`npm start\` does this for you`,
      );
    }
  }
  return {
    port: Number(env.SHELL_PORT ?? env.PORT ?? 8080),
    host: env.SHELL_HOST ?? env.HOST ?? '127.0.0.1',
    registry,
    remotes: { auth, user },
    trust,
    upstreams: { auth: env.AUTH_URL ?? 'http://127.0.0.1:3001', user: env.USER_URL ?? 'http://127.0.0.1:3000' },
    upstreamDeadlineMs: Number(env.UPSTREAM_DEADLINE_MS ?? 5000),
    appDir,
  };
}

// --- internal ---

function remoteName(spec: string): string {
  return spec.split('@')[0] ?? spec;
}

function keys(env: NodeJS.ProcessEnv, which: 'AUTH' | 'USER'): string[] {
  const inline = env[`MODMESH_TRUST_${which}`];
  const file = env[`MODMESH_TRUST_${which}_FILE`];
  return [...(inline ? inline.split(',') : []), ...(file ? [readFileSync(file, 'utf8')] : [])].map((key) => key.trim()).filter(Boolean);
}
