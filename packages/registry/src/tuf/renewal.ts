import type { EventHub } from '../events.js';
import type { MetadataStore, TufMetadataRow } from '../storage/types.js';
import { signOnline } from './online.js';
import { codeOf, type TufEngine } from './service.js';
import { verifyCandidate } from './verify.js';

export interface Renewal {
  /** Re-signs the timestamp (and the snapshot) when they are within their renewal window; what happened. */
  renewIfDue(now?: number): Promise<'renewed' | 'not-due' | 'lost' | 'nothing'>;
  start(): void;
  stop(): void;
}

// Every replica checks this often (at most), with jitter so that replicas do not line up; the
// database decides which one's renewal is committed, the others find the head moved.
const CHECK_INTERVAL_MAX_MS = 60_000;
// Test-sized expiries (seconds) still get a few checks per renewal window.
const CHECK_INTERVAL_MIN_MS = 200;
const JITTER = 0.2;

/**
 * The renewal timer (design 16 §4.1): before the timestamp (1 h) or the snapshot (7 d) expires,
 * a new one is signed and committed on the head it was built on, with a `tuf.updated` event.
 */
export function createRenewal(options: {
  metadata: MetadataStore;
  hub: EventHub;
  engine: TufEngine;
  onError?: (error: unknown, code: string) => void;
}): Renewal {
  const { metadata, hub, engine } = options;
  const { expiry } = engine;
  const windowMs = Math.min(expiry.timestampRenewBeforeSeconds, expiry.snapshotRenewBeforeSeconds) * 1000;
  const baseInterval = Math.max(CHECK_INTERVAL_MIN_MS, Math.min(CHECK_INTERVAL_MAX_MS, windowMs / 4));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;

  async function renewIfDue(now = Date.now()): Promise<'renewed' | 'not-due' | 'lost' | 'nothing'> {
    const context = await engine.context();
    const { head } = context;
    const timestamp = head.current.timestamp;
    const snapshot = head.current.snapshot;
    if (!timestamp || !snapshot || !context.root) return 'nothing';
    const timestampDue = Date.parse(timestamp.expires) - now < expiry.timestampRenewBeforeSeconds * 1000;
    const snapshotDue = Date.parse(snapshot.expires) - now < expiry.snapshotRenewBeforeSeconds * 1000;
    if (!timestampDue && !snapshotDue) return 'not-due';
    await engine.signer.reload();
    const documents = await signOnline({
      head,
      changed: [],
      root: context.root.signed,
      signer: engine.signer,
      expiry,
      now,
      newSnapshot: snapshotDue,
      createdBy: 'registry',
    });
    const snapshotBytes = documents.snapshot?.bytes ?? (await metadata.getMetadata('snapshot', head.snapshot))?.bytes;
    if (!snapshotBytes) return 'nothing';
    await verifyCandidate({ root: context.root, timestamp: documents.timestamp.bytes, snapshot: snapshotBytes }, engine.crypto);
    const rows = [documents.snapshot, documents.timestamp].filter((row): row is TufMetadataRow => row !== undefined);
    const outcome = await metadata.commitMetadata({ rows, expect: { snapshot: head.snapshot, timestamp: head.timestamp } });
    if ('stale' in outcome) return 'lost';
    hub.publish(outcome.events);
    return 'renewed';
  }

  function schedule(): void {
    const delay = baseInterval * (1 - JITTER + Math.random() * 2 * JITTER);
    timer = setTimeout(async function renewTick() {
      if (!running) return;
      try {
        await renewIfDue();
      } catch (error) {
        options.onError?.(error, codeOf(error));
      }
      if (running) schedule();
    }, delay);
    timer.unref?.();
  }

  return {
    renewIfDue,
    start() {
      if (running) return;
      running = true;
      schedule();
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
