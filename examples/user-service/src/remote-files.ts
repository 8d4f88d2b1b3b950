import { createHash } from 'node:crypto';
import { ModmeshError } from '@modmesh/manifest';
import { type Deadlines, fetchFile } from './fetch-file.js';

/** A remote's files as fetched and checked, ready to evaluate. */
export interface RemoteFiles {
  entry: string;
  files: Map<string, Buffer>;
  /** SHA-256 of the entry: tells one build of the remote from another. */
  fingerprint: string;
}

export interface FetchRemoteFilesOptions {
  remote: string;
  /** The remote's `remoteEntry.js` URL; its `mf-manifest.json` sits beside it. */
  entryUrl: string;
  deadlines?: Partial<Deadlines>;
}

// Limits on what a remote may send: far above any real build, far below what hurts a host.
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Fetches a remote's `mf-manifest.json`, then its entry and every chunk the manifest lists, in
 * parallel. Each file must come back complete, as a 200 of the right content type, within the
 * deadlines; otherwise nothing is returned and nothing is evaluated.
 */
export async function fetchRemoteFiles(options: FetchRemoteFilesOptions): Promise<RemoteFiles> {
  const { remote, deadlines } = options;
  const manifestUrl = new URL('mf-manifest.json', options.entryUrl);
  const raw = await fetchFile(manifestUrl.href, { remote, deadlines, maxBytes: MAX_MANIFEST_BYTES, expect: 'json' });
  const { entry, chunks } = readFederationManifest(raw, remote, manifestUrl.href);

  const paths = [entry, ...chunks.filter((chunk) => chunk !== entry)];
  const bodies = await Promise.all(
    paths.map((file) => fetchFile(new URL(file, manifestUrl).href, { remote, deadlines, maxBytes: MAX_FILE_BYTES, expect: 'javascript' })),
  );
  const files = new Map(paths.map((file, index) => [file, bodies[index] as Buffer]));
  const fingerprint = createHash('sha256')
    .update(files.get(entry) as Buffer)
    .digest('hex');
  return { entry, files, fingerprint };
}

// --- internal ---

interface AssetList {
  js?: { sync?: unknown; async?: unknown };
}

function readFederationManifest(raw: Buffer, remote: string, url: string): { entry: string; chunks: string[] } {
  const invalid = (why: string, cause?: unknown): ModmeshError =>
    new ModmeshError('MODMESH_REMOTE_MANIFEST_INVALID', `${remote}: ${url} ${why}`, { remote, file: url, cause });
  let manifest: {
    metaData?: { remoteEntry?: { name?: unknown; path?: unknown } };
    exposes?: { assets?: AssetList }[];
    shared?: { assets?: AssetList }[];
  };
  try {
    manifest = JSON.parse(raw.toString('utf8'));
  } catch (cause) {
    throw invalid('is not valid JSON', cause);
  }
  const entryName = manifest?.metaData?.remoteEntry?.name;
  const entryPath = manifest?.metaData?.remoteEntry?.path ?? '';
  if (typeof entryName !== 'string' || typeof entryPath !== 'string') throw invalid('has no metaData.remoteEntry.name');

  const chunks = new Set<string>();
  for (const item of [...(manifest.exposes ?? []), ...(manifest.shared ?? [])]) {
    for (const list of [item?.assets?.js?.sync, item?.assets?.js?.async]) {
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw invalid('lists assets that are not an array of file names');
      for (const file of list) chunks.add(checkRelativePath(file, invalid));
    }
  }
  const entry = checkRelativePath(entryPath ? `${entryPath.replace(/\/+$/, '')}/${entryName}` : entryName, invalid);
  return { entry, chunks: [...chunks] };
}

// A manifest names files relative to itself; anything that could escape that directory or point
// at another origin is refused.
function checkRelativePath(file: unknown, invalid: (why: string) => ModmeshError): string {
  if (typeof file !== 'string' || file.length === 0) throw invalid('names a file that is not a string');
  const unsafe = file.startsWith('/') || file.includes('\\') || file.includes('://') || file.split('/').some((part) => part === '..' || part === '');
  if (unsafe) throw invalid(`names the file "${file}", which is not a plain relative path`);
  return file;
}
