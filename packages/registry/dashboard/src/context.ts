// What the views of one remote know about it, and what they may ask of the page.
import type { Consumer, PublisherKeyInfo, RegistryClient, TagMove, TagState, VersionEntry } from '@modmesh/api';

/** What every view of a remote may ask of the page. */
export interface DashboardContext {
  /** The registry client for the token signed in with now (none: anonymous). */
  client(): RegistryClient;
  /** Whether the signed-in token may move this remote's tags. */
  canWrite(remote: string): boolean;
  showError(error: unknown, doing?: string): void;
  clearError(): void;
  /** Reloads the remote's releases, tags and audit log. */
  refresh(name: string): Promise<void>;
}

/** One consumer running one release of the remote: a row of its Consumers panel. */
export interface ConsumerRow extends Pick<Consumer, 'instanceId' | 'service' | 'kind' | 'lastSeen'> {
  version: string;
  since: string;
}

/** What the page knows of one remote. */
export interface RemoteModel {
  name: string;
  versions: VersionEntry[];
  versionsNewestFirst: VersionEntry[];
  tags: TagState[];
  keys: PublisherKeyInfo[];
  /** The audit log, newest first; cut short unless `historyComplete`. */
  history: TagMove[];
  historyComplete: boolean;
  consumers: ConsumerRow[];
  loaded: boolean;
}
