import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { startRegistry } from '@modmesh/registry';
import { it } from 'vitest';
import { fuzzRequest } from './fuzz-requests.js';
import { createRawClient } from './raw-http.js';

it('probe', async () => {
  const r = await startRegistry({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'p-')), port: 0, adminToken: 'x'.repeat(20), log: false, rateLimit: false });
  const errors: string[] = [];
  r.app.server.prependListener('clientError', (err: NodeJS.ErrnoException) => { errors.push(`${err.code} ${err.message} ${(err as any).rawPacket?.toString('latin1').slice(0, 300)}`); });
  const client = createRawClient(r.url, { deadlineMs: 5000, sockets: 1 });
  const ctx = { names: ['auth'], versions: ['1.0.0'], tags: ['stable'], blobs: ['a'.repeat(64)], tokens: { admin: 'x'.repeat(20), publish: 'p', read: 'r' }, releases: [] as any[] };
  const reqs = fc.sample(fuzzRequest({ ...ctx, releases: [{ manifest: {} as any, signature: {} as any }] }), { numRuns: 1500, seed: 1669830380 });
  let prev = '';
  let shown = 0;
  for (const q of reqs) {
    const before = errors.length;
    const res = await client.send({ ...q, body: q.body?.() });
    const bad = 'error' in res || res.body.includes('Client Error');
    if ((bad || errors.length > before) && shown++ < 6) console.log('PREV', prev, '\nTHIS', q.method, q.path.slice(0, 100), JSON.stringify(q.headers).slice(0, 300), q.bodyLabel.slice(0, 80), JSON.stringify(res).slice(0, 200), '\nERR', errors.slice(before));
    prev = `${q.method} ${q.path.slice(0, 100)} ${JSON.stringify(q.headers).slice(0, 200)} ${q.bodyLabel.slice(0, 60)} -> ${'status' in res ? res.status : res.error}`;
  }
  client.close();
  await r.close();
}, 120_000);
