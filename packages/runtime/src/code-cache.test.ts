import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createCodeCache } from './code-cache.js';

const KEY = 'k'.repeat(32);

describe('the code cache', () => {
  it('keeps compiled code across processes with the key, and runs it for the same source', async () => {
    const { signed } = scripts();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-code-'));
    const first = createCodeCache({ key: KEY, dir });
    expect(run(first.script(signed, 'entry.js'))).toBe('signed code');
    await first.close();
    expect(readdirSync(dir)).toHaveLength(1);
    const script = createCodeCache({ key: KEY, dir }).script(signed, 'entry.js');
    expect(script.cachedDataRejected).toBe(false);
    expect(run(script)).toBe('signed code');
  });

  it('is needed: V8 runs the compiled code of another source of the same length', () => {
    const { signed, other } = scripts();
    expect(run(new vm.Script(signed, { filename: 'x.js', cachedData: compiledCodeOf(other) }))).toBe('other! code');
  });

  it.each([
    ['no MAC', () => Buffer.alloc(32)],
    ['a MAC under another key', (digest: string, data: Buffer) => mac('another key', digest, data)],
  ])('never runs compiled code kept with %s', async (_, macOf) => {
    const { signed, other } = scripts();
    const dir = await plant(signed, compiledCodeOf(other), macOf);
    expect(run(createCodeCache({ key: KEY, dir }).script(signed, 'entry.js'))).toBe('signed code');
  });

  it('reads nothing from disk without a key', async () => {
    const { signed, other } = scripts();
    const dir = await plant(signed, compiledCodeOf(other), (digest, data) => mac(KEY, digest, data));
    expect(run(createCodeCache().script(signed, 'entry.js'))).toBe('signed code');
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('runs what the key vouches for: the key is what keeps planted code out, so it stays secret', async () => {
    const { signed, other } = scripts();
    const dir = await plant(signed, compiledCodeOf(other), (digest, data) => mac(KEY, digest, data));
    expect(run(createCodeCache({ key: KEY, dir }).script(signed, 'entry.js'))).toBe('other! code');
  });
});

// --- internal ---

// Two scripts of the same length, new for each test: V8 also keeps what an isolate compiled, by
// source, and would answer from that instead of from compiled code it is given.
function scripts(): { signed: string; other: string } {
  const nonce = randomBytes(8).toString('hex');
  return { signed: `(function () { return "signed code"; }) // ${nonce}`, other: `(function () { return "other! code"; }) // ${nonce}` };
}

function run(script: vm.Script): string {
  return (script.runInThisContext() as () => string)();
}

function compiledCodeOf(source: string): Buffer {
  const script = new vm.Script(source, { filename: 'other.js' });
  run(script);
  return script.createCachedData();
}

// A file in the code cache's format (code-cache.ts) for `source`, holding `data` under the MAC given.
async function plant(source: string, data: Buffer, macOf: (digest: string, data: Buffer) => Buffer): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-code-'));
  const digest = createHash('sha256').update(source, 'utf16le').digest('hex');
  writeFileSync(path.join(dir, `${digest}.${V8_TAG}.bin`), Buffer.concat([macOf(digest, data), data]));
  return dir;
}

const V8_TAG = createHash('sha256').update(`${process.versions.v8}\n${process.arch}`).digest('hex').slice(0, 12);

function mac(key: string, digest: string, data: Buffer): Buffer {
  const hmacKey = createHash('sha256').update(key).digest();
  return createHmac('sha256', hmacKey).update(`modmesh-code-cache-v1\n${digest}\n${V8_TAG}\n`).update(data).digest();
}
