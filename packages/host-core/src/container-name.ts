// Which name a host gives a remote's container in the Module Federation runtime. Node and browser
// hosts share this rule.

/**
 * The name a remote's container is registered under in the federation runtime: the remote the
 * host asked for, the first 16 hex digits of the entry's signed SHA-256, and the host's own id.
 * Never the `name` the build chose: that field is the publisher's to set, so two remotes (each
 * with its own trusted key) can claim the same one, and the runtime keys containers, loaded
 * entries and share-scope providers by name.
 *
 * @example
 * runtimeNameOf('auth', '9f86d081884c7d65...', 'a1b2c3d4e5f6') // 'auth@9f86d081884c7d65.a1b2c3d4e5f6'
 */
export function runtimeNameOf(remote: string, entrySha256: string, hostId: string): string {
  return `${remote}${SEPARATOR}${entrySha256.slice(0, 16)}.${hostId}`;
}

/** The remote a runtime name was made for, or undefined for any other name (the host's own). */
export function remoteOfRuntimeName(name: string): string | undefined {
  const at = name.indexOf(SEPARATOR);
  return at > 0 && RUNTIME_NAME.test(name) ? name.slice(0, at) : undefined;
}

// --- internal ---

// Remote names never contain "@" (REMOTE_NAME), so the remote's part always ends at the first one.
const SEPARATOR = '@';
const RUNTIME_NAME = /^[^@/]+@(?:[0-9a-f]{16}|unknown)\.[\w-]+$/;
