import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeBlobStoreContract } from '@modmesh/registry-test-utils';
import { createFileBlobStore } from './blobs.js';

describeBlobStoreContract('file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modmesh-blobs-'));
  return {
    blobs: await createFileBlobStore(dir),
    dir,
    reopen: () => createFileBlobStore(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
