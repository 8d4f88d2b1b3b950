import { createTufRepository, generateTufKey } from '@modmesh/test-utils';
import { describe, expect, it } from 'vitest';
import { createWebCrypto } from './crypto.js';
import { createTrustedSet } from './cycle.js';
import { rawKeyOf } from './keys.js';
import { createNodeCrypto } from './node-crypto.js';
import { serializeTrustedSet } from './persist.js';
import { runCycle } from './refresh.js';
import { desiredRelease } from './releases.js';
import { loadTrustedRoot } from './root.js';
import { utf8 } from './text.js';

// Node's WebCrypto is the API browsers have: this runs the browser's code path.
const ports = { web: createWebCrypto(), node: createNodeCrypto() };

describe.each(Object.entries(ports))('the %s crypto port', (_, port) => {
  it('hashes and verifies as the other does', async () => {
    const pair = await generateTufKey();
    const message = utf8('{"signed":1}');
    const signature = await pair.signer.sign(message);
    const raw = rawKeyOf(pair.signer.key);
    expect(Buffer.from(await port.sha256(message)).toString('hex')).toBe(Buffer.from(await ports.node.sha256(message)).toString('hex'));
    expect(await port.verifyEd25519(raw, message, signature)).toBe(true);
    expect(await port.verifyEd25519(raw, utf8('{"signed":2}'), signature)).toBe(false);
    expect(await port.verifyEd25519(raw, message, signature.slice(0, 63))).toBe(false);
    expect(await port.verifyEd25519(raw.slice(1), message, signature)).toBe(false);
    // Not a point on the curve: cannot have signed anything.
    expect(await port.verifyEd25519(new Uint8Array(32).fill(0xff), message, signature)).toBe(false);
  });

  it('runs a whole cycle to the same trusted set', async () => {
    const repo = await createTufRepository();
    await repo.publish('auth', '1.0.0');
    await repo.moveTag('auth', 'stable', '1.0.0');
    const sets = [];
    for (const crypto of [port, ports.node]) {
      const root = await loadTrustedRoot(repo.files.get('1.root.json') as Uint8Array, crypto);
      sets.push((await runCycle(createTrustedSet(root), { now: repo.now, remotes: ['auth'], source: repo.source(), crypto })).set);
    }
    expect(serializeTrustedSet(sets[0] as never)).toEqual(serializeTrustedSet(sets[1] as never));
    expect(desiredRelease(sets[0] as never, 'auth', 'stable').version).toBe('1.0.0');
  });
});
