// Evaluating a remote's entry from checked bytes: which export is the container, and how its
// code's requests for its own files are answered.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateContainer } from './evaluate.js';

const root = path.join(os.tmpdir(), 'modmesh-no-such-release');
const CONTAINER = `{ init() {}, get(expose) { return Promise.resolve(() => ({ expose })); } }`;

function evaluate(files: Record<string, string>, declaredName?: string) {
  const evaluated: string[] = [];
  const container = evaluateContainer({
    remote: 'demo',
    version: '1.0.0',
    root,
    entry: 'remoteEntry.js',
    files: new Map(Object.entries(files).map(([file, text]) => [file, Buffer.from(text)])),
    declaredName,
    onEvaluate: (file) => evaluated.push(file),
  });
  return { container, evaluated };
}

describe('the container an entry exports', () => {
  it('is module.exports, or module.exports[name] with a library name, as stock Module Federation takes it', async () => {
    expect(typeof evaluate({ 'remoteEntry.js': `module.exports = ${CONTAINER};` }).container.get).toBe('function');
    const named = evaluate({ 'remoteEntry.js': `module.exports.node_remote = ${CONTAINER};` }).container;
    expect(await (await named.get('./test'))()).toEqual({ expose: './test' });
  });

  it('of several, the one under the name the signed manifest declares', () => {
    const { container } = evaluate({ 'remoteEntry.js': `exports.a = ${CONTAINER}; exports.b = { ...${CONTAINER}, which: 'b' };` }, 'b');
    expect((container as unknown as { which?: string }).which).toBe('b');
  });

  it('none: MODMESH_REMOTE_EVALUATION_FAILED saying what it exports, with a hint that is not the library type it already uses', () => {
    expect(() => evaluate({ 'remoteEntry.js': 'module.exports.other = { init: 1 };' })).toThrow(
      expect.objectContaining({
        code: 'MODMESH_REMOTE_EVALUATION_FAILED',
        message: expect.stringContaining('(it exports other)'),
        hint: expect.stringContaining('with or without a library name'),
      }),
    );
  });
});

describe("the container's requests for its own files", () => {
  it('a chunk the release lacks is a read that fails, naming it, even where the loader checks first (no fallback to the network)', async () => {
    const loader = `
      const fs = require('fs');
      const file = require('path').join(__dirname, 'missing-chunk.js');
      module.exports = { init() {}, get() {
        if (!fs.existsSync(file)) return Promise.reject(new Error('would fetch it over HTTP'));
        return new Promise((resolve, reject) => fs.readFile(file, 'utf-8', (error) => reject(error)));
      } };`;
    await expect(evaluate({ 'remoteEntry.js': loader }).container.get('./x')).rejects.toMatchObject({
      code: 'MODMESH_CHUNK_NOT_IN_RELEASE',
      file: 'missing-chunk.js',
    });
  });

  it("a relative require (webpack's require chunk loading) is answered from the release, or refused", () => {
    const entry = `const chunk = require('./chunk.js'); module.exports = { ...${CONTAINER}, chunk, load: (id) => require(id) };`;
    const { container, evaluated } = evaluate({ 'remoteEntry.js': entry, 'chunk.js': 'exports.id = "chunk";' });
    expect((container as unknown as { chunk: { id: string } }).chunk.id).toBe('chunk');
    expect(evaluated).toEqual(['remoteEntry.js', 'chunk.js']);
    const load = (container as unknown as { load(id: string): unknown }).load;
    expect(() => load('./planted.js')).toThrow(expect.objectContaining({ code: 'MODMESH_CHUNK_NOT_IN_RELEASE', file: 'planted.js' }));
    expect(() => load('../../etc/passwd')).toThrow(expect.objectContaining({ code: 'MODMESH_CHUNK_NOT_IN_RELEASE' }));
  });
});
