import { type CryptoPort, loadTrustedRoot, type ReleasesSigned, type TargetsSigned, type TrustedRoot } from '@modmesh/trust';
import type { MetadataStore, TufHead } from '../storage/types.js';

/** What a change is built on: the head, and the newest root and targets (verified when they were pushed). */
export interface TufContext {
  head: TufHead;
  /** Fixed for the whole change. */
  now: number;
  root?: TrustedRoot;
  targets?: { bytes: Uint8Array; signed: TargetsSigned };
  /** The newest document of a remote's role, or undefined when it has none. */
  role(name: string): Promise<{ bytes: Uint8Array; signed: ReleasesSigned } | undefined>;
}

export async function loadContext(metadata: MetadataStore, crypto: CryptoPort, now = Date.now()): Promise<TufContext> {
  const head = await metadata.tufHead();
  const [rootRow, targetsRow] = await Promise.all([
    head.root > 0 ? metadata.getMetadata('root', head.root) : undefined,
    head.targets > 0 ? metadata.getMetadata('targets', head.targets) : undefined,
  ]);
  return {
    head,
    now,
    ...(rootRow && { root: await loadTrustedRoot(rootRow.bytes, crypto) }),
    ...(targetsRow && { targets: { bytes: targetsRow.bytes, signed: parseSigned(targetsRow.bytes) as TargetsSigned } }),
    async role(name) {
      const row = head.current[name] && (await metadata.getMetadata(name, head.current[name].version));
      return row ? { bytes: row.bytes, signed: parseSigned(row.bytes) as ReleasesSigned } : undefined;
    },
  };
}

/** The `signed` part of a stored document. */
export function parseSigned(bytes: Uint8Array): unknown {
  return (JSON.parse(new TextDecoder().decode(bytes)) as { signed: unknown }).signed;
}
