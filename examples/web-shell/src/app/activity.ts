import type { BrowserMeshEvent } from '@modmesh/runtime/browser';

export interface ActivityEntry {
  id: number;
  at: Date;
  tone: 'info' | 'success' | 'error';
  remote: string;
  text: string;
  code?: string;
}

export interface Activity {
  record(event: BrowserMeshEvent): void;
  /** A module that failed on the page itself (while rendering), with its code. */
  problem(remote: string, problem: { code: string; message: string }): void;
  subscribe(listener: () => void): () => void;
  entries(): readonly ActivityEntry[];
}

// The newest entries are what someone watching the page wants; older ones scroll away.
const MAX_ENTRIES = 50;

/** What the mesh did on this page (loads, swaps, coded errors), newest first. */
export function createActivity(): Activity {
  let entries: ActivityEntry[] = [];
  let next = 1;
  const listeners = new Set<() => void>();
  const add = (entry: ActivityEntry): void => {
    next += 1;
    entries = [entry, ...entries].slice(0, MAX_ENTRIES);
    for (const listener of listeners) listener();
  };
  return {
    record(event) {
      const entry: ActivityEntry =
        event.type === 'error'
          ? { id: next, at: new Date(), tone: 'error', remote: event.remote, text: event.error.message, code: event.error.code }
          : event.type === 'trust'
            ? {
                id: next,
                at: new Date(),
                tone: 'error',
                remote: 'trust',
                text: `${event.error.message} (still running what was verified)`,
                code: event.error.code,
              }
            : event.type === 'stale'
              ? {
                  id: next,
                  at: new Date(),
                  tone: 'error',
                  remote: event.remote,
                  text: `no fresh signed metadata since ${event.since ?? 'the page opened'} (${event.role} expired${event.cause ? `, ${event.cause}` : ''}); still running what was verified`,
                  code: event.code,
                }
              : event.type === 'swapped'
                ? { id: next, at: new Date(), tone: 'success', remote: event.remote, text: `swapped ${event.previous} → ${event.version} without a reload` }
                : { id: next, at: new Date(), tone: 'info', remote: event.remote, text: `loaded ${event.version}, signature and integrity checked` };
      add(entry);
    },
    problem(remote, problem) {
      add({ id: next, at: new Date(), tone: 'error', remote, text: problem.message, code: problem.code });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    entries: () => entries,
  };
}
