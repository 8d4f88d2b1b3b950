import { createHash } from 'node:crypto';
import type { EventHub } from './events.js';

declare const jsonOf: unique symbol;

/** The JSON text of a `T`: only made by serializing a `T` (here), so it is still typed as one. */
export type JsonText<T> = string & { readonly [jsonOf]: T };

/** An answer as it goes on the wire, and the tag that names it. */
export interface CachedAnswer<T> {
  /** The JSON text of the answer. */
  body: JsonText<T>;
  /** A strong `ETag` of `body`. */
  etag: string;
}

/** Answers of one type `T` (one route's), kept by key. */
export interface AnswerCache<T> {
  /**
   * The answer for `key`: kept in memory since it was made, or made now by `make` (once for every
   * request that asks meanwhile). An answer is kept only while nothing was published since it
   * was begun; a failure is never kept.
   */
  answer(key: string, make: () => Promise<T>): Promise<CachedAnswer<T>>;
}

// Answers kept at most; past it, everything kept is dropped (the next requests make them again).
const MAX_ENTRIES = 10_000;

/**
 * Answers of the registry that follow from its stored state (resolving a spec), kept in memory and
 * dropped at every publish of the event hub: a release published or a tag moved here, and, on
 * shared storage, a notification from another replica or the storage's periodic nudge, which is
 * every replica's (events.ts). What a replica answers from memory is then as fresh as the events
 * it sends.
 */
export function createAnswerCache<T>(hub: Pick<EventHub, 'onPublish'>): AnswerCache<T> {
  const kept = new Map<string, CachedAnswer<T>>();
  const making = new Map<string, Promise<CachedAnswer<T>>>();
  let generation = 0;
  hub.onPublish(function dropAll() {
    generation += 1;
    kept.clear();
    making.clear();
  });

  return {
    answer(key, make) {
      const found = kept.get(key) ?? making.get(key);
      if (found) return Promise.resolve(found);
      const begun = generation;
      const made = make().then((value) => {
        const body = JSON.stringify(value) as JsonText<T>;
        const answer: CachedAnswer<T> = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
        if (generation === begun) {
          if (kept.size >= MAX_ENTRIES) kept.clear();
          kept.set(key, answer);
        }
        return answer;
      });
      making.set(key, made);
      // Kept or not, it is no longer being made; a failure is made again by the next request.
      void made
        .finally(() => {
          if (making.get(key) === made) making.delete(key);
        })
        .catch(() => undefined);
      return made;
    },
  };
}
