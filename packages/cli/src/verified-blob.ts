import { createHash } from 'node:crypto';
import type { RegistryClient } from '@modmesh/api';
import { type FileEntry, ModmeshError } from '@modmesh/manifest';

/** A release file's bytes from the registry, only if they have the size and SHA-256 its signed manifest gives. */
export async function verifiedBlob(client: RegistryClient, name: string, version: string, file: FileEntry): Promise<Buffer> {
  const bytes = Buffer.from(await client.blob(file.sha256, file.size, name));
  if (bytes.length !== file.size || createHash('sha256').update(bytes).digest('hex') !== file.sha256) {
    throw new ModmeshError('MODMESH_HASH_MISMATCH', `${name}@${version}: ${file.path} as served does not match the SHA-256 in the signed manifest`, {
      remote: name,
      version,
      file: file.path,
    });
  }
  return bytes;
}
