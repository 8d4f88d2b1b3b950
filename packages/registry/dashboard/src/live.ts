// Following the registry's event stream (`GET /v1/events`) with the one client's stream
// (@modmesh/api openEventStream: fetch, so a token goes along when reads need one; resumes
// after the last event; drops a silent stream; reconnects with the one backoff policy), and the
// page's indicator of it.
import { type EventStream, openEventStream, type RegistryStreamEvent } from '@modmesh/api';
import { byId } from './dom.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface LiveOptions {
  url: string;
  token: string | null;
  onEvent(event: RegistryStreamEvent): void;
  /** Back after a drop: the stream resumes where it was, but a registry that restarted onto other data would not. */
  onResumed(): void;
}

const LIVE_STATUS: Record<LiveStatus, [text: string, title: string]> = {
  connecting: ['connecting…', 'Connecting to the registry’s event stream'],
  live: ['live', 'Changes show here as they happen'],
  reconnecting: ['reconnecting…', 'The event stream dropped; reconnecting and catching up on what was missed'],
  refused: ['offline', 'The registry refused the event stream: sign in with a token to follow changes'],
};

/** Follows the stream from now on (the page has just read the current state), until closed. */
export function connectLive(options: LiveOptions): EventStream {
  let dropped = false;
  setLiveStatus('connecting');
  return openEventStream({
    url: options.url,
    token: options.token ?? undefined,
    lastEventId: 'latest',
    onEvent: options.onEvent,
    onConnected() {
      setLiveStatus('live');
      if (dropped) options.onResumed();
      dropped = false;
    },
    onDisconnected(reason, retryInMs) {
      dropped = true;
      setLiveStatus('reconnecting', `${LIVE_STATUS.reconnecting[1]} (${reason}; next attempt in ${Math.ceil(retryInMs / 1000)} s)`);
    },
  });
}

export function setLiveStatus(status: LiveStatus, title = LIVE_STATUS[status][1]): void {
  const element = byId('events-status');
  element.textContent = LIVE_STATUS[status][0];
  element.title = title;
  element.className = `live live-${status}`;
}
