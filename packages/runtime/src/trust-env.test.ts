import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostTrustFromEnv, trustFromEnv } from './trust-env.js';

const KEY = 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('trustFromEnv', () => {
  it('reads each remote’s keys from MODMESH_TRUST_<NAME> or a file named by MODMESH_TRUST_<NAME>_FILE', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trust-env-'));
    writeFileSync(path.join(dir, 'billing.pub'), `${KEY}\n`);
    expect(
      trustFromEnv(['auth', 'node-billing'], { MODMESH_TRUST_AUTH: `${KEY}, ${KEY}`, MODMESH_TRUST_NODE_BILLING_FILE: path.join(dir, 'billing.pub') }),
    ).toEqual({
      auth: [KEY, KEY],
      'node-billing': [KEY],
    });
  });

  it('refuses a remote with no key, naming both variables', () => {
    expect(() => trustFromEnv(['auth'], {})).toThrow(
      expect.objectContaining({ code: 'MODMESH_CONFIG_INVALID', message: expect.stringContaining('MODMESH_TRUST_AUTH_FILE') }),
    );
  });
});

describe('hostTrustFromEnv', () => {
  it('takes the root of trust when MODMESH_ROOT names its file, else the keys per remote', () => {
    expect(hostTrustFromEnv(['auth'], { MODMESH_ROOT: '/etc/modmesh/root.json' })).toEqual({ root: '/etc/modmesh/root.json' });
    expect(hostTrustFromEnv(['auth'], { MODMESH_TRUST_AUTH: KEY })).toEqual({ trust: { auth: [KEY] } });
  });

  it('refuses a root and publisher keys together: the keys would silently count for nothing', () => {
    expect(() => hostTrustFromEnv(['auth'], { MODMESH_ROOT: 'root.json', MODMESH_TRUST_AUTH_FILE: 'auth.pub' })).toThrow(
      expect.objectContaining({ code: 'MODMESH_CONFIG_INVALID', message: expect.stringContaining('MODMESH_TRUST_AUTH') }),
    );
  });
});
