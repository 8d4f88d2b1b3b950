import { type ErrorCode, isModmeshError, ModmeshError } from '@modmesh/manifest';
import type { CryptoPort, Cycle, TrustedRoot } from '@modmesh/trust';
import type { EventHub } from '../events.js';
import type { MetadataStore, NewRelease, RegistryEvent, SignedTagMove, TufMetadataRow } from '../storage/types.js';
import { loadContext, type TufContext } from './context.js';
import { type OnlineExpiry, signOnline } from './online.js';
import type { OnlineSigner } from './online-key.js';
import { verifyCandidate } from './verify.js';

/** One change of the TUF metadata, as a route builds it on the current head. */
export interface TufChange {
  /** Documents written, each its role's next version. */
  rows: TufMetadataRow[];
  /** The root the online documents are signed under: the pushed one when a root is pushed. @default the newest root */
  root?: TrustedRoot;
  /** Remote roles among `rows` to verify as hosts will; targets is verified whenever it changed or a role is checked. */
  roles?: string[];
  release?: NewRelease;
  tagMoves?: SignedTagMove[];
  /** Further checks on the verified candidate, before anything is written. */
  check?(cycle: Cycle): Promise<void> | void;
}

export interface TufEngine {
  readonly signer: OnlineSigner;
  readonly crypto: CryptoPort;
  readonly expiry: OnlineExpiry;
  context(): Promise<TufContext>;
  /**
   * Builds a change on the current head, signs the snapshot and timestamp over it, verifies the
   * whole as a host would, and commits it all or nothing. Rebuilt when another change (another
   * replica's) committed first; refusals from `build` or the checks write nothing.
   */
  commit(build: (context: TufContext) => Promise<TufChange>, actor: string): Promise<RegistryEvent[]>;
}

// A change rebuilt this many times because others kept committing first gives up (a renewal
// storm on many replicas would otherwise keep a publish waiting).
const MAX_ATTEMPTS = 8;

export function createTufEngine(options: {
  metadata: MetadataStore;
  hub: EventHub;
  signer: OnlineSigner;
  crypto: CryptoPort;
  expiry: OnlineExpiry;
  onCommitted?: () => void;
}): TufEngine {
  const { metadata, hub, signer, crypto, expiry } = options;
  const context = () => loadContext(metadata, crypto);

  return {
    signer,
    crypto,
    expiry,
    context,
    async commit(build, actor) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const current = await context();
        const change = await build(current);
        const root = change.root ?? current.root;
        if (!root) throw noRoot();
        const targetsRow = change.rows.find((row) => row.role === 'targets');
        const targetsBytes = targetsRow?.bytes ?? current.targets?.bytes;
        let online: TufMetadataRow[] = [];
        if (targetsBytes) {
          const documents = await signOnline({
            head: current.head,
            changed: change.rows,
            root: root.signed,
            signer,
            expiry,
            now: current.now,
            newSnapshot: true,
            createdBy: 'registry',
          });
          const snapshot = documents.snapshot as TufMetadataRow;
          const roles = Object.fromEntries((change.roles ?? []).map((role) => [role, change.rows.find((row) => row.role === role)?.bytes as Uint8Array]));
          const checkTargets = targetsRow !== undefined || Object.keys(roles).length > 0;
          const cycle = await verifyCandidate(
            { root, timestamp: documents.timestamp.bytes, snapshot: snapshot.bytes, ...(checkTargets && { targets: targetsBytes }), roles },
            crypto,
          );
          await change.check?.(cycle);
          online = [snapshot, documents.timestamp];
        } else {
          // No targets yet (a first root): nothing to sign a snapshot over; the keys must be held all the same.
          signer.signersFor(root.signed, 'timestamp');
          signer.signersFor(root.signed, 'snapshot');
        }
        const outcome = await metadata.commitMetadata({
          rows: [...change.rows.map((row) => ({ ...row, createdBy: actor })), ...online],
          expect: { snapshot: current.head.snapshot, timestamp: current.head.timestamp },
          ...(change.release && { release: change.release }),
          ...(change.tagMoves && { tagMoves: change.tagMoves }),
        });
        if ('stale' in outcome) continue;
        hub.publish(outcome.events);
        options.onCommitted?.();
        return outcome.events;
      }
      throw new ModmeshError('MODMESH_META_CONFLICT', `other changes kept committing first (${MAX_ATTEMPTS} attempts); nothing was written`, {
        hint: 'Retry in a moment.',
      });
    },
  };
}

/** The coded result of a failed background step, for logs and health. */
export function codeOf(error: unknown): ErrorCode {
  return isModmeshError(error) ? error.code : 'MODMESH_INTERNAL';
}

export function noRoot(): ModmeshError {
  return new ModmeshError('MODMESH_NOT_FOUND', 'this registry has no root of trust yet', {
    hint: 'Create one offline and push it: `modmesh root create`, `modmesh root sign` (a threshold of root keys), `modmesh root push` (admin token).',
  });
}
