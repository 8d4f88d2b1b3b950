import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { ModmeshError } from '@modmesh/manifest';
import type { BlobStore, DumpRecord, MetadataStore } from './types.js';

/** What `exportRegistry` writes as `export.json`, last: an export without it is incomplete. */
export const EXPORT_FORMAT = 'modmesh.registry-export/v1';

export interface TransferSummary {
  /** Records by kind: release, tag, tagMove, event, key, token. */
  records: Record<DumpRecord['record'], number>;
  /** Distinct release files, each re-hashed. */
  files: number;
}

export interface ImportSummary extends TransferSummary {
  /** Records written; the rest were already there, identical. */
  added: number;
  unchanged: number;
  /** Files the target did not have yet. */
  filesAdded: number;
}

interface Storage {
  metadata: MetadataStore;
  blobs: BlobStore;
}

const RECORDS_FILE = 'registry.ndjson';
const MANIFEST_FILE = 'export.json';
const BLOBS_DIR = 'blobs';

/**
 * `modmesh registry export`: writes a registry (releases and their files, tags, audit log,
 * events, keys, tokens) to a new directory, re-hashing every release file on the way. Works on
 * any backend; `importRegistry` reads it into any backend.
 */
export async function exportRegistry(storage: Storage, dir: string): Promise<TransferSummary> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  if (entries.length > 0) {
    throw new ModmeshError('MODMESH_USAGE', `${dir} is not empty; an export goes into a new directory`, { hint: 'Name a directory that does not exist yet.' });
  }
  await mkdir(path.join(dir, BLOBS_DIR), { recursive: true });
  const summary: TransferSummary = { records: emptyCounts(), files: 0 };
  const written = new Set<string>();
  const out = createWriteStream(path.join(dir, RECORDS_FILE), { flags: 'wx' });
  try {
    for await (const record of storage.metadata.dump()) {
      summary.records[record.record] += 1;
      if (record.record === 'release') {
        for (const file of record.release.files) {
          if (written.has(file.sha256)) continue;
          const bytes = await readBlob(storage.blobs, file.sha256, `${record.release.name}@${record.release.version}`, file.path);
          checkBytes(bytes, file, `${record.release.name}@${record.release.version}`, 'stored');
          await writeFile(path.join(dir, BLOBS_DIR, file.sha256), bytes, { flag: 'wx' });
          written.add(file.sha256);
        }
      }
      if (!out.write(`${JSON.stringify(record)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  } finally {
    out.end();
    await finished(out);
  }
  summary.files = written.size;
  const manifest = path.join(dir, MANIFEST_FILE);
  await writeFile(`${manifest}.tmp`, `${JSON.stringify({ format: EXPORT_FORMAT, exportedAt: new Date().toISOString(), ...summary }, null, 2)}\n`);
  await rename(`${manifest}.tmp`, manifest);
  return summary;
}

/**
 * `modmesh registry import`: reads an export into a registry. Every file is re-hashed and every
 * release's files checked against its signed manifest before anything is written; a record the
 * target holds differently refuses the import (MODMESH_IMPORT_CONFLICT) before any file is
 * stored; the records go in one transaction. Importing the same export again changes nothing.
 */
export async function importRegistry(storage: Storage, dir: string): Promise<ImportSummary> {
  await readExportManifest(dir);
  const records = (await readFile(path.join(dir, RECORDS_FILE), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DumpRecord);
  const summary: ImportSummary = { records: emptyCounts(), files: 0, added: 0, unchanged: 0, filesAdded: 0 };
  const files = new Map<string, { size: number; release: string; path: string }>();
  for (const record of records) {
    summary.records[record.record] += 1;
    if (record.record !== 'release') continue;
    const { release } = record;
    checkFilesSigned(release);
    for (const file of release.files) files.set(file.sha256, { size: file.size, release: `${release.name}@${release.version}`, path: file.path });
  }
  const contents = new Map<string, Buffer>();
  for (const [sha256, file] of files) {
    const bytes = await readFile(path.join(dir, BLOBS_DIR, sha256)).catch(() => {
      throw new ModmeshError('MODMESH_FILE_MISSING', `${file.release}: ${file.path} (${sha256}) is not in the export`, { file: file.path });
    });
    checkBytes(bytes, { sha256, size: file.size, path: file.path }, file.release, 'exported');
    contents.set(sha256, bytes);
  }
  summary.files = files.size;
  // Conflicts surface before a single file is stored.
  await storage.metadata.restore(records, { dryRun: true });
  for (const [sha256, bytes] of contents) {
    if ((await storage.blobs.put(sha256, bytes, { maxBytes: bytes.length })).created) summary.filesAdded += 1;
  }
  const { added, unchanged } = await storage.metadata.restore(records);
  return { ...summary, added, unchanged };
}

// --- internal ---

function emptyCounts(): TransferSummary['records'] {
  return { release: 0, tag: 0, tagMove: 0, event: 0, key: 0, token: 0, tufMetadata: 0, audit: 0 };
}

async function readExportManifest(dir: string): Promise<void> {
  let manifest: { format?: unknown };
  try {
    manifest = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as { format?: unknown };
  } catch (cause) {
    throw new ModmeshError('MODMESH_USAGE', `${dir} has no readable ${MANIFEST_FILE}: it is not a complete registry export`, {
      hint: 'Export with `modmesh registry export --out DIR`, and import the directory it wrote once it finished.',
      cause,
    });
  }
  if (manifest.format !== EXPORT_FORMAT) {
    throw new ModmeshError('MODMESH_USAGE', `${dir} is a ${String(manifest.format)} export; this modmesh reads ${EXPORT_FORMAT}`, {
      hint: 'Import it with the modmesh version that exported it.',
    });
  }
}

async function readBlob(blobs: BlobStore, sha256: string, release: string, file: string): Promise<Buffer> {
  const stream = await blobs.open(sha256);
  if (!stream) throw new ModmeshError('MODMESH_FILE_MISSING', `${release}: ${file} (${sha256}) is not stored`, { file });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function checkBytes(bytes: Buffer, file: { sha256: string; size: number; path: string }, release: string, where: string): void {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== file.sha256 || bytes.length !== file.size) {
    throw new ModmeshError('MODMESH_HASH_MISMATCH', `${release}: the ${where} bytes of ${file.path} do not match its size and SHA-256 (${file.sha256})`, {
      file: file.path,
    });
  }
}

// A release's file list must be the one its signed manifest names: an edited export cannot slip a file in.
function checkFilesSigned(release: { name: string; version: string; manifest: string; files: { path: string; size: number; sha256: string }[] }): void {
  const key = (file: { path: string; size: number; sha256: string }): string => `${file.path}\u0000${file.size}\u0000${file.sha256}`;
  const signed = ((JSON.parse(release.manifest) as { files?: { path: string; size: number; sha256: string }[] }).files ?? []).map(key).sort();
  const listed = release.files.map(key).sort();
  if (signed.join('\n') !== listed.join('\n')) {
    throw new ModmeshError('MODMESH_MANIFEST_MISMATCH', `${release.name}@${release.version}: the export lists other files than its signed manifest`, {
      remote: release.name,
      version: release.version,
    });
  }
}
