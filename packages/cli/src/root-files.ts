import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModmeshError } from '@modmesh/manifest';
import { documentBytes, type Envelope } from '@modmesh/trust';

// The offline root directory of `modmesh root ...`: `N.root.json` and `N.targets.json`, drafts
// and signed documents alike, each written as the canonical bytes the registry will serve.

/** The versions of `role` in `dir`, ascending. */
export async function versionsIn(dir: string, role: 'root' | 'targets'): Promise<number[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  const pattern = new RegExp(`^([1-9][0-9]*)\\.${role}\\.json$`);
  return names
    .map((name) => pattern.exec(name)?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The newest `role` document in `dir`; MODMESH_USAGE naming `root create` when there is none. */
export async function newestIn<T>(dir: string, role: 'root' | 'targets'): Promise<{ version: number; file: string; envelope: Envelope<T> }> {
  const version = (await versionsIn(dir, role)).at(-1);
  if (version === undefined) {
    throw new ModmeshError('MODMESH_USAGE', `${dir} holds no ${role} document`, { hint: 'Start one with `modmesh root create --dir DIR`.' });
  }
  const file = path.join(dir, `${version}.${role}.json`);
  return { version, file, envelope: await readEnvelope<T>(file) };
}

export async function readEnvelope<T>(file: string): Promise<Envelope<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModmeshError('MODMESH_USAGE', `cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { cause });
  }
  try {
    const envelope = JSON.parse(text) as Envelope<T>;
    if (!envelope || typeof envelope !== 'object' || !envelope.signed || !Array.isArray(envelope.signatures)) throw new Error('not { signed, signatures }');
    return envelope;
  } catch (cause) {
    throw new ModmeshError('MODMESH_META_INVALID', `${file} is not a TUF document: ${(cause as Error).message}`, { file, cause });
  }
}

/** Writes a document atomically (temp file, rename); `create` refuses to replace one. */
export async function writeEnvelope(file: string, envelope: Envelope<unknown>, options: { create?: boolean } = {}): Promise<void> {
  if (options.create && existsSync(file)) {
    throw new ModmeshError('MODMESH_USAGE', `${file} already exists; a document is never overwritten`, { hint: 'Use another --dir, or sign the one there.' });
  }
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, documentBytes(envelope), { flag: 'wx' });
  await rename(temporary, file);
}
