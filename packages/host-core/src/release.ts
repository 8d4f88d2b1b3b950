import type { TagMoveKind } from '@modmesh/api';
import type { ContainerInfo, ReleaseManifest } from '@modmesh/manifest/web';

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
  tag?: { name: string; seq: number; kind: TagMoveKind } | undefined;
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
  verifiedAt: string;
}

/** Where a host keeps its highest verified states: on disk for Node hosts, in memory for pages. */
export interface StateStore {
  read(name: string, spec: string): Promise<VerifiedState | undefined>;
  /** Stores `state` unless the stored one is higher (by the replay rule); resolves with whether it did. */
  write(state: VerifiedState): Promise<boolean>;
}
