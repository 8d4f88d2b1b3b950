import type { SignedReleaseRecord, TagMoveKind } from '@modmesh/api';
import type { ContainerInfo, ModmeshError, ReleaseManifest } from '@modmesh/manifest/web';

/** A tag's state as a host weighs it: its move counter, and whether its move was a rollback. */
export interface TagInfo {
  name: string;
  seq: number;
  kind: TagMoveKind;
  /**
   * Signed by the tag's movers (TUF `R.tags`): its `seq` alone decides which state is newer (a
   * host that missed a rollback and the move after it accepts the later, lower version). Unsigned
   * (the registry's word, per-remote keys): an older version also needs the rollback mark.
   */
  signed?: boolean | undefined;
}

/** What a host is offered for a remote spec: which release, and either its signed record or its manifest already verified. */
export interface Offer {
  name: string;
  spec: string;
  version: string;
  tag?: TagInfo | undefined;
  /** The signed release as the registry served it (per-remote keys): the acquire port verifies it. */
  release?: SignedReleaseRecord | undefined;
  /** The manifest, verified already (a host with a root: R1 of `@modmesh/trust`). */
  manifest?: ReleaseManifest | undefined;
  /** With a root: the SHA-256 of the release document its publishers' role lists (what a page's file URLs are named by). */
  documentSha256?: string | undefined;
  /** Offered from metadata kept on disk because the registry's could not be verified now: why. */
  cached?: ModmeshError | undefined;
}

/**
 * A release whose signature was checked against a key trusted for its remote: what a host
 * installs. Platforms add what they load it from (verified bytes on Node, integrity-checked
 * URLs in pages).
 */
export interface CoreRelease {
  name: string;
  version: string;
  manifest: ReleaseManifest;
  /** This platform's container of the release. */
  container: ContainerInfo;
  /** For a tag: its move counter and whether its last move was a rollback. */
  tag?: TagInfo | undefined;
  source: 'registry' | 'cache';
}

/**
 * The highest state a host verified for a remote spec: the release it runs, and for a tag the
 * tag's move counter, so that no restart accepts an older statement of the tag (invariant 9).
 */
export interface VerifiedState {
  name: string;
  spec: string;
  version: string;
  /** The tag's move counter when the spec is a tag. */
  seq?: number;
  /** Whether the tag got there by a rollback. */
  kind?: TagMoveKind;
  /** The state was signed by the tag's movers (see TagInfo.signed). */
  signed?: boolean;
  verifiedAt: string;
}

/** Where a host keeps its highest verified states: on disk for Node hosts, in memory for pages. */
export interface StateStore {
  read(name: string, spec: string): Promise<VerifiedState | undefined>;
  /** Stores `state` unless the stored one is higher (by the replay rule); resolves with whether it did. */
  write(state: VerifiedState): Promise<boolean>;
}
