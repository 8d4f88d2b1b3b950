import { keyIdOf, ModmeshError, parsePublicKey } from '@modmesh/manifest';
import { compactOf, type TargetsSigned, type TufKey } from '@modmesh/trust';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import type { MetadataStore } from '../storage/types.js';
import { parseSigned } from './context.js';

/** How a remote is trusted: delegated by the root of trust, and which of its two roles exist. */
export interface RemoteTrust {
  delegated: boolean;
  /** `R.releases` exists: every publish must carry its next version. */
  releasesSigned: boolean;
  /** `R.tags` exists: every tag move must be its next version, signed by a mover. */
  tagsSigned: boolean;
  /** The release key ids (as a release signature names them) of the publishers targets delegates. */
  publisherKeyIds: string[];
}

/**
 * Legacy mode (the registry decides which release a tag names, keys registered by an admin) stays
 * open per remote until that remote's roles exist, for the migration of design 16 §4.5, and is
 * closed for all by `--require-signed-tags`. Refusals name the command that signs instead.
 */
export interface LegacyGate {
  trustOf(remote: string): Promise<RemoteTrust>;
  /** An unsigned publish (no `R.releases`). */
  publish(remote: string): Promise<void>;
  /** A tag move or rollback the registry would decide. */
  tagMove(remote: string): Promise<void>;
  /** Registering or removing a publisher key by admin token. */
  keys(remote: string): Promise<void>;
}

export function createLegacyGate(options: { metadata: MetadataStore; requireSigned: boolean }): LegacyGate {
  const { metadata, requireSigned } = options;
  const closed = ' (this registry runs with --require-signed-tags)';

  async function trustOf(remote: string): Promise<RemoteTrust> {
    const head = await metadata.tufHead();
    const targetsRow = head.targets > 0 ? await metadata.getMetadata('targets', head.targets) : undefined;
    const targets = targetsRow && (parseSigned(targetsRow.bytes) as TargetsSigned);
    const delegation = targets?.delegations?.roles.find((role) => role.name === `${remote}.releases`);
    const keys = (delegation?.keyids ?? []).map((keyid) => targets?.delegations?.keys[keyid]).filter((key): key is TufKey => key !== undefined);
    return {
      delegated: delegation !== undefined,
      releasesSigned: head.current[`${remote}.releases`] !== undefined,
      tagsSigned: head.current[`${remote}.tags`] !== undefined,
      publisherKeyIds: keys.map((key) => keyIdOf(parsePublicKey(compactOf(key)))),
    };
  }

  return {
    trustOf,
    async publish(remote) {
      if (!requireSigned && !(await trustOf(remote)).releasesSigned) return;
      throw new ModmeshError('MODMESH_SIGNATURE_MISSING', `${remote} takes only releases listed by a signed ${remote}.releases${requireSigned ? closed : ''}`, {
        remote,
        hint: `Publish with the modmesh CLI in root mode: \`modmesh publish DIR --name ${remote} --version X.Y.Z --key publisher.key --root root.json\` signs ${remote}.releases too.`,
      });
    },
    async tagMove(remote) {
      if (!requireSigned && !(await trustOf(remote)).tagsSigned) return;
      throw new ModmeshError('MODMESH_SIGNATURE_MISSING', `tags of ${remote} move only by a mover-signed ${remote}.tags${requireSigned ? closed : ''}`, {
        remote,
        hint: `Move it with \`modmesh tag set ${remote} TAG VERSION --key mover.key --root root.json\` (or \`modmesh rollback ${remote} TAG --key mover.key\`).`,
      });
    },
    async keys(remote) {
      if (!requireSigned && !(await trustOf(remote)).delegated) return;
      throw new ModmeshError(
        'MODMESH_FORBIDDEN',
        `publisher keys of ${remote} are set by the root of trust${requireSigned ? closed : ''}, not registered here`,
        {
          remote,
          hint: `Change them offline: \`modmesh root add-remote ${remote}\` or \`modmesh root remove-key KEYID --remote ${remote}\`, then \`modmesh root sign\` and \`modmesh root push\`.`,
        },
      );
    },
  };
}

// The legacy routes the gate stands in front of, by method and route.
const GATED: Record<string, 'tagMove' | 'keys'> = {
  'PUT /v1/remotes/:name/tags/:tag': 'tagMove',
  'POST /v1/remotes/:name/tags/:tag/rollback': 'tagMove',
  'POST /v1/remotes/:name/keys': 'keys',
  'DELETE /v1/remotes/:name/keys/:keyId': 'keys',
};

/**
 * Puts the gate in front of the legacy tag and key routes (their plugins stay as they were): the
 * caller's right to change the remote is checked first, then whether the remote is still legacy.
 */
export function registerLegacyGate(app: FastifyInstance, services: { auth: Authenticator; gate: LegacyGate }): void {
  app.addHook('preHandler', async function legacyGate(request) {
    const kind = GATED[`${request.method} ${request.routeOptions.url}`];
    if (!kind) return;
    const remote = (request.params as { name: string }).name;
    if (kind === 'keys') services.auth.requireAdmin(request.principal);
    else services.auth.requireWrite(request.principal, remote);
    await services.gate[kind](remote);
  });
}
