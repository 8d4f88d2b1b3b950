import type { RegistryStreamEvent } from '@modmesh/api';
import type { RemoteSpec } from './spec.js';

/**
 * Whether a registry event may change which release `remote` runs: a move of the tag it
 * follows, or a new release of it when it follows a range. An exact version never changes.
 */
export function concerns(remote: Pick<RemoteSpec, 'name' | 'spec' | 'kind'>, event: RegistryStreamEvent): boolean {
  // A new signed timestamp concerns the trust cycle (every remote at once), not one remote.
  if (event.type === 'tuf.updated' || event.data.name !== remote.name) return false;
  if (event.type === 'tag.moved') return remote.kind === 'tag' && event.data.tag === remote.spec;
  return event.type === 'release.published' && remote.kind === 'range';
}
