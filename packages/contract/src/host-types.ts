import type { Declarations } from './declarations.js';
import { hasDefaultExport, renameModules } from './module-names.js';

/** One remote as a host uses it, with the declarations of the release its spec resolved to. */
export interface HostRemote {
  /** The name the host imports it by (`auth` in `auth/tokenValidator`). */
  alias: string;
  name: string;
  version: string;
  target: 'node' | 'web';
  declarations: Declarations;
}

/** Which release each alias's declarations came from: `modmesh types pull` writes it beside them and reads it back. */
export interface TypesLock {
  schema: typeof TYPES_LOCK_SCHEMA;
  remotes: Record<string, LockedRemote>;
}

/** One alias in the lock: what its spec was, the release it resolved to, and the exposed modules it declares. */
export interface LockedRemote {
  spec: string;
  name: string;
  version: string;
  target: 'node' | 'web';
  exposes: string[];
}

export const TYPES_LOCK_SCHEMA = 'modmesh.types-lock/v1';
export const TYPES_LOCK_FILE = 'modmesh-types.json';
/** The file that adds the ids of every pulled remote to `@modmesh/runtime`'s RemoteModules. */
export const RUNTIME_TYPES_FILE = 'runtime.d.ts';

/**
 * The declaration file of one remote for a host (`<alias>.d.ts`): the release's declarations with
 * their modules named under the alias (so that two remotes, or two releases of one, never meet),
 * and an ambient module per exposed module (`declare module 'auth/tokenValidator'`), which types
 * a stock host's `import('auth/tokenValidator')` and `require(...)` as well as `@modmesh/runtime`.
 */
export function remoteTypesFile(remote: HostRemote): string {
  const own = (name: string): string => `modmesh-types:${remote.alias}/${name}`;
  const exposed = Object.entries(remote.declarations.exposes).map(([expose, module]) => {
    const lines = [`  export * from ${JSON.stringify(own(module))};`];
    if (hasDefaultExport(remote.declarations.text, module)) lines.push(`  export { default } from ${JSON.stringify(own(module))};`);
    return `declare module ${JSON.stringify(idOf(remote.alias, expose))} {\n${lines.join('\n')}\n}\n`;
  });
  return [
    header(`${remote.alias}: ${remote.name}@${remote.version} (${remote.target})`),
    renameModules(remote.declarations.text, own).trimEnd(),
    '',
    ...exposed,
  ].join('\n');
}

/**
 * RUNTIME_TYPES_FILE: every pulled id added to `RemoteModules` of `@modmesh/runtime` (Node
 * hosts) or `@modmesh/runtime/browser` (pages), so that `mesh.import('auth/tokenValidator')` and
 * `mesh.live(...)` are typed by their id, without a type argument.
 *
 * @example
 * runtimeTypesFile([{ alias: 'auth', target: 'node', exposes: ['./tokenValidator'] }])
 */
export function runtimeTypesFile(remotes: readonly (Pick<LockedRemote, 'target' | 'exposes'> & { alias: string })[]): string {
  const targets = (['node', 'web'] as const).filter((target) => remotes.some((remote) => remote.target === target));
  const blocks = targets.map((target) => {
    const ids = remotes.filter((remote) => remote.target === target).flatMap((remote) => remote.exposes.map((expose) => idOf(remote.alias, expose)));
    const members = ids.map((id) => `    ${JSON.stringify(id)}: typeof import(${JSON.stringify(id)});`).join('\n');
    return `declare module ${JSON.stringify(RUNTIME_MODULES[target])} {\n  interface RemoteModules {\n${members}\n  }\n}\n`;
  });
  const imports = targets.map((target) => `import type {} from ${JSON.stringify(RUNTIME_MODULES[target])};`);
  return [header("the modules of remotes, by id, for @modmesh/runtime's mesh.import() and mesh.live()"), ...imports, '', ...blocks].join('\n');
}

// --- internal ---

const RUNTIME_MODULES = { node: '@modmesh/runtime', web: '@modmesh/runtime/browser' } as const;

function header(what: string): string {
  return `// ${what}\n// Written by \`modmesh types pull\` from the release's signed declarations; do not edit (pull again).\n`;
}

function idOf(alias: string, expose: string): string {
  return `${alias}/${expose.slice(2)}`;
}
