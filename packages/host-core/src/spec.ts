import { ModmeshError, REMOTE_NAME, specKindOf } from '@modmesh/manifest/web';

export type SpecKind = 'version' | 'range' | 'tag';

/** One remote a host follows: the host's name for it (`alias`), the registry's name, and which release. */
export interface RemoteSpec {
  alias: string;
  name: string;
  spec: string;
  kind: SpecKind;
}

// A host that names no tag follows the one every registry has.
const DEFAULT_TAG = 'stable';

/**
 * `remotes: { alias: 'name@spec' }` as every host reads it: a tag (`auth@stable`), an exact
 * version (`auth@1.2.0`) or a semver range (`auth@^1`); `auth` alone follows `stable`. Anything
 * else is refused with MODMESH_CONFIG_INVALID, as is one remote listed twice (a host runs one
 * release of a remote at a time).
 */
export function parseRemotes(remotes: Record<string, string>): RemoteSpec[] {
  const parsed: RemoteSpec[] = [];
  for (const [alias, value] of Object.entries(remotes)) {
    const at = value.indexOf('@');
    const name = at === -1 ? value : value.slice(0, at);
    const spec = at === -1 ? DEFAULT_TAG : value.slice(at + 1);
    const kind = specKindOf(spec);
    if (!REMOTE_NAME.test(name) || !spec || !kind) {
      throw new ModmeshError('MODMESH_CONFIG_INVALID', `remotes.${alias} = ${JSON.stringify(value)}: expected NAME@SPEC, e.g. auth@stable`, {
        hint: 'SPEC is a tag (stable), a version (1.2.0) or a semver range (^1); NAME is the remote as published.',
      });
    }
    if (parsed.some((other) => other.name === name)) {
      throw new ModmeshError('MODMESH_CONFIG_INVALID', `remote ${name} is listed twice; a host runs one release of a remote at a time`, { remote: name });
    }
    parsed.push({ alias, name, spec, kind });
  }
  return parsed;
}

/**
 * `alias/Expose` (a module id as hosts import it) into the remote and the expose (`./Expose`),
 * or MODMESH_CONFIG_INVALID when the alias is not one of `aliases`.
 */
export function parseModuleId(id: string, aliases: Iterable<string>): { alias: string; expose: string } {
  const slash = id.indexOf('/');
  const alias = slash > 0 ? id.slice(0, slash) : '';
  if (!alias || ![...aliases].includes(alias)) {
    throw new ModmeshError('MODMESH_CONFIG_INVALID', `"${id}" names no configured remote; ids are REMOTE/EXPOSE with REMOTE a key of options.remotes`, {
      hint: `Configured: ${[...aliases].join(', ') || 'none'}.`,
    });
  }
  return { alias, expose: `./${id.slice(slash + 1).replace(/^\.\//, '')}` };
}
