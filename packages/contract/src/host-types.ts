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
  remotes: Record<string, { spec: string; name: string; version: string; target: 'node' | 'web' }>;
}

export const TYPES_LOCK_SCHEMA = 'modmesh.types-lock/v1';
export const TYPES_LOCK_FILE = 'modmesh-types.json';

/**
 * The declaration files that type a host's imports of remote modules, by file name: for each
 * alias an ambient module per exposed module (`declare module 'auth/tokenValidator'`), which
 * types a stock host's `import('auth/tokenValidator')` and `require(...)`; and, with
 * `runtime`, the ids of `@modmesh/runtime`'s `RemoteModules` (`runtime.d.ts`), which types
 * `mesh.import('auth/tokenValidator')` and `mesh.live(...)` without a type argument.
 *
 * @example
 * hostTypeFiles([{ alias: 'auth', name: 'auth', version: '1.2.0', target: 'node', declarations }], { runtime: true })
 */
export function hostTypeFiles(remotes: readonly HostRemote[], options: { runtime: boolean }): Record<string, string> {
  const files: Record<string, string> = {};
  for (const remote of remotes) files[`${remote.alias}.d.ts`] = remoteFile(remote);
  if (options.runtime && remotes.length > 0) files['runtime.d.ts'] = runtimeFile(remotes);
  return files;
}

// --- internal ---

const RUNTIME_MODULES = { node: '@modmesh/runtime', web: '@modmesh/runtime/browser' } as const;

function header(what: string): string {
  return `// ${what}\n// Written by \`modmesh types pull\` from the release's signed declarations; do not edit (pull again).\n`;
}

// The release's declarations with their modules named under the alias (so that two remotes, or
// two releases of one, never meet), then one ambient module per exposed module re-exporting it.
function remoteFile(remote: HostRemote): string {
  const own = (name: string): string => `modmesh-types:${remote.alias}/${name}`;
  const exposed = Object.entries(remote.declarations.exposes).map(([expose, module]) => {
    const lines = [`  export * from ${JSON.stringify(own(module))};`];
    if (hasDefaultExport(remote.declarations.text, module)) lines.push(`  export { default } from ${JSON.stringify(own(module))};`);
    return `declare module ${JSON.stringify(`${remote.alias}/${expose.slice(2)}`)} {\n${lines.join('\n')}\n}\n`;
  });
  return [
    header(`${remote.alias}: ${remote.name}@${remote.version} (${remote.target})`),
    renameModules(remote.declarations.text, own).trimEnd(),
    '',
    ...exposed,
  ].join('\n');
}

function runtimeFile(remotes: readonly HostRemote[]): string {
  const blocks = (['node', 'web'] as const).flatMap((target) => {
    const ids = remotes
      .filter((remote) => remote.target === target)
      .flatMap((remote) => Object.keys(remote.declarations.exposes).map((expose) => `${remote.alias}/${expose.slice(2)}`));
    if (ids.length === 0) return [];
    const module = JSON.stringify(RUNTIME_MODULES[target]);
    return [
      `declare module ${module} {\n  interface RemoteModules {\n${ids.map((id) => `    ${JSON.stringify(id)}: typeof import(${JSON.stringify(id)});`).join('\n')}\n  }\n}\n`,
    ];
  });
  const imports = (['node', 'web'] as const)
    .filter((target) => remotes.some((remote) => remote.target === target))
    .map((target) => `import type {} from ${JSON.stringify(RUNTIME_MODULES[target])};`);
  return [header("the modules of remotes, by id, for @modmesh/runtime's mesh.import() and mesh.live()"), ...imports, '', ...blocks].join('\n');
}
