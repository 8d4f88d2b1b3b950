// The worker `emitDeclarationsInWorker` runs: declarations emitted off the bundler's thread, with
// this worker's own parsed files kept between builds (a watch or `modmesh dev`).
import { parentPort } from 'node:worker_threads';
import { type DeclarationInput, emitDeclarations } from './declarations.js';

parentPort?.on('message', function emit({ id, input }: { id: number; input: DeclarationInput }) {
  try {
    parentPort?.postMessage({ id, result: emitDeclarations(input) });
  } catch (error) {
    parentPort?.postMessage({ id, error: { message: (error as Error)?.message ?? String(error), code: (error as { code?: unknown })?.code } });
  }
});
