// What a signing command accepts from the registry before it signs: the renewal commands
// (`releases refresh`, `tag refresh`) must be able to read a role signed by a key that `root
// remove-key` took away since, or a revoked key could never be replaced; and nothing else.
import type { RegistryClient } from '@modmesh/api';
import { createTufRepository, generateTufKey, type TufKeyPair, type TufRepository } from '@modmesh/test-utils';
import { type Envelope, removeKey, type TargetsSigned } from '@modmesh/trust';
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyRegistry } from './trust.js';

let repo: TufRepository;
let stays: TufKeyPair;

function client(): RegistryClient {
  return { tufMetadata: async (file: string) => repo.files.get(file) } as unknown as RegistryClient;
}

async function putTargets(envelope: Envelope<TargetsSigned>): Promise<void> {
  await repo.putRole('targets', envelope, repo.keys.root.slice(0, 2));
  await repo.commit();
}

// auth has two publishers, P (the repository's) and `stays`; P signs auth.releases v1, then is removed.
beforeEach(async () => {
  repo = await createTufRepository();
  stays = await generateTufKey();
  const targets = repo.current.targets.signed;
  const delegations = targets.delegations as NonNullable<TargetsSigned['delegations']>;
  await putTargets({
    signed: {
      ...targets,
      version: targets.version + 1,
      delegations: {
        keys: { ...delegations.keys, [stays.signer.keyid]: stays.signer.key },
        roles: delegations.roles.map((role) => (role.name === 'auth.releases' ? { ...role, keyids: [...role.keyids, stays.signer.keyid] } : role)),
      },
    },
    signatures: [],
  });
  await repo.publish('auth', '1.0.0');
  await putTargets(removeKey(repo.current.targets.signed, repo.keys.publishers.auth?.signer.keyid as string, { remote: 'auth', expires: repo.after(365) }));
});

describe('verifyRegistry after root remove-key', () => {
  const root = () => repo.files.get('1.root.json') as Uint8Array;

  it('refuses the role the removed key signed, as hosts do', async () => {
    await expect(verifyRegistry(client(), root(), { remotes: ['auth'], now: repo.now })).rejects.toMatchObject({
      code: 'MODMESH_META_SIGNATURE',
      message: expect.stringMatching(/auth\.releases\.json v1 is signed by 0 of the 1 keys of auth\.releases \(targets v4\)/),
    });
  });

  it('with allowRemovedSigners (the renewal commands): reads it, verified by the earlier targets that delegated it, and keeps the current targets', async () => {
    const verified = await verifyRegistry(client(), root(), { remotes: ['auth'], allowRemovedSigners: true, now: repo.now });
    expect(Object.keys(verified.role('auth.releases')?.targets ?? {})).toEqual(['auth/releases/1.0.0.json']);
    expect(verified.targets.version).toBe(4);
    expect(verified.targets.delegations?.roles.find((role) => role.name === 'auth.releases')?.keyids).toEqual([stays.signer.keyid]);
  });

  it('with allowRemovedSigners: still refuses a role that no targets ever delegated to its signer', async () => {
    const stranger = await generateTufKey();
    const current = repo.current.roles['auth.releases'] as Envelope<never>;
    await repo.putRole('auth.releases', { signed: { ...(current.signed as object), version: 2 } as never, signatures: [] }, [stranger]);
    await repo.commit();
    await expect(verifyRegistry(client(), root(), { remotes: ['auth'], allowRemovedSigners: true, now: repo.now })).rejects.toMatchObject({
      code: 'MODMESH_META_SIGNATURE',
      message: expect.stringContaining('auth.releases.json v2 is signed by 0 of the 1 keys of auth.releases (targets v4)'),
    });
  });
});
