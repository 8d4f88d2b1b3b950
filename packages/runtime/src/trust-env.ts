import { readFileSync } from 'node:fs';
import { ModmeshError } from '@modmesh/manifest';

/**
 * The publisher keys trusted for each remote, from the environment: `MODMESH_TRUST_<NAME>` (keys
 * separated by commas or new lines) or `MODMESH_TRUST_<NAME>_FILE` (a file of them, one per
 * line), `<NAME>` being the remote's name upper-cased with `-` and `.` as `_`. A remote with no
 * key is refused with MODMESH_CONFIG_INVALID naming both variables.
 *
 * @example
 * trustFromEnv(['auth'], process.env) // { auth: ['ed25519:...'] } from MODMESH_TRUST_AUTH
 */
export function trustFromEnv(names: Iterable<string>, env: NodeJS.ProcessEnv): Record<string, string[]> {
  const trust: Record<string, string[]> = {};
  for (const name of names) {
    const variable = trustVariable(name);
    const file = env[`${variable}_FILE`];
    const text = env[variable] ?? (file ? readKeyFile(file, `${variable}_FILE`) : undefined);
    const keys = (text ?? '')
      .split(/[\n,]/)
      .map((key) => key.trim())
      .filter(Boolean);
    if (keys.length === 0) {
      throw new ModmeshError('MODMESH_CONFIG_INVALID', `no publisher key is trusted for the remote ${name}: ${variable} and ${variable}_FILE are unset`, {
        remote: name,
        hint: `Set ${variable} to ${name}'s publisher public key (ed25519:..., from \`modmesh keys generate\`), or ${variable}_FILE to a file holding it.`,
      });
    }
    trust[name] = keys;
  }
  return trust;
}

/** What a host trusts, as createMesh takes it: a root of trust, or publisher keys per remote. */
export type HostTrust = { root: string; trust?: undefined } | { trust: Record<string, string[]>; root?: undefined };

/**
 * What a host trusts, from the environment: the root of trust when `MODMESH_ROOT` names its file
 * (`root.json`, as the CLI takes it too), otherwise each remote's publisher keys (trustFromEnv).
 * Setting both is refused: a host follows one model, and a key set beside a root would
 * silently count for nothing.
 *
 * @example
 * createMesh({ registry, remotes: { auth: 'auth@stable' }, ...hostTrustFromEnv(['auth'], process.env) })
 */
export function hostTrustFromEnv(names: Iterable<string>, env: NodeJS.ProcessEnv): HostTrust {
  const root = env.MODMESH_ROOT?.trim();
  if (!root) return { trust: trustFromEnv(names, env) };
  const keyed = [...names].map(trustVariable).filter((variable) => env[variable] || env[`${variable}_FILE`]);
  if (keyed.length > 0) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', `MODMESH_ROOT is set, and so is ${keyed.join(', ')}: a host trusts a root or publisher keys, not both`, {
      hint: 'With a root, the publisher keys come from it (`modmesh root add-remote`): unset the MODMESH_TRUST_* variables.',
    });
  }
  return { root };
}

/** `MODMESH_TRUST_AUTH` for `auth`, `MODMESH_TRUST_NODE_REMOTE` for `node-remote`. */
export function trustVariable(name: string): string {
  return `MODMESH_TRUST_${name.toUpperCase().replace(/[-.]/g, '_')}`;
}

// --- internal ---

function readKeyFile(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', `${variable}=${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause})`, {
      hint: `Point ${variable} at the .pub file from \`modmesh keys generate\`.`,
      cause,
    });
  }
}
