import { ModmeshError } from '@modmesh/manifest';
import { type ReleasesSigned, releasePath } from '@modmesh/trust';
import type { MetadataStore } from '../storage/types.js';
import { parseSigned } from './context.js';

/**
 * What a remote's publishers offer: its newest signed `R.releases`, or undefined for a legacy
 * remote (no role yet), which offers every release published. A release published but not
 * listed (withdrawn, a publisher-signed yank) is never offered, by any read: hosts with a root
 * never run it, and hosts trusting per-remote keys are not offered it either.
 */
export interface ReleaseListing {
  /** `R.releases`. */
  role: string;
  /** Its version. */
  version: number;
  lists(version: string): boolean;
}

export async function releaseListing(metadata: Pick<MetadataStore, 'tufHead' | 'getMetadata'>, remote: string): Promise<ReleaseListing | undefined> {
  const role = `${remote}.releases`;
  const current = (await metadata.tufHead()).current[role];
  const row = current && (await metadata.getMetadata(role, current.version));
  if (!row) return undefined;
  const signed = parseSigned(row.bytes) as ReleasesSigned;
  return { role, version: signed.version, lists: (version) => signed.targets[releasePath(remote, version)] !== undefined };
}

/** Refuses `remote@version` when its publishers withdrew it (it is published but `listing` leaves it out). */
export function requireListed(listing: ReleaseListing | undefined, remote: string, version: string): void {
  if (!listing || listing.lists(version)) return;
  throw new ModmeshError(
    'MODMESH_RELEASE_NOT_LISTED',
    `${remote}@${version} is not listed by ${listing.role} v${listing.version}: its publishers withdrew it, or it was published before the root of trust and not adopted`,
    {
      remote,
      version,
      hint: `Ask for a release it lists (\`modmesh ls ${remote}\` shows them), or a range or tag that resolves to one; a release from before the root runs again once a delegated publisher adopts it (\`modmesh releases adopt ${remote} --key\`).`,
    },
  );
}
