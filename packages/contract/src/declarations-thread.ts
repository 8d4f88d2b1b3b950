import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type DeclarationInput, type EmittedDeclarations, emitDeclarations } from './declarations.js';

/**
 * `emitDeclarations` in a worker thread, so that TypeScript runs beside the bundler instead of
 * after it (a cold emit reads the standard library and `@types/node`: a second or two). One
 * worker per process, started on first use and kept (unreferenced: it never holds the process
 * open), so a watch or `modmesh dev` rebuild reuses what it parsed. Run from the sources (this
 * repository's tests), where no compiled worker exists, it emits on the calling thread.
 */
export function emitDeclarationsInWorker(input: DeclarationInput): Promise<EmittedDeclarations> {
  if (!existsSync(WORKER_FILE)) return Promise.resolve().then(() => emitDeclarations(input));
  worker ??= startWorker();
  const id = ++lastId;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker?.ref();
    worker?.postMessage({ id, input });
  });
}

// --- internal ---

const WORKER_FILE = fileURLToPath(new URL('./declarations-worker.js', import.meta.url));
const pending = new Map<number, { resolve(result: EmittedDeclarations): void; reject(error: Error): void }>();
let worker: Worker | undefined;
let lastId = 0;

function startWorker(): Worker {
  const started = new Worker(WORKER_FILE);
  started.unref();
  started.on('message', ({ id, result, error }: { id: number; result?: EmittedDeclarations; error?: { message: string; code?: string } }) => {
    const waiting = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) started.unref();
    if (error) waiting?.reject(Object.assign(new Error(error.message), error.code && { code: error.code }));
    else if (result) waiting?.resolve(result);
  });
  started.on('error', (error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    worker = undefined;
  });
  return started;
}
