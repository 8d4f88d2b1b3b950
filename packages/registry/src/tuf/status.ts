import type { TufDocumentStatus, TufStatus } from '@modmesh/api';
import { isModmeshError } from '@modmesh/manifest';
import type { MetadataStore } from '../storage/types.js';
import { parseSigned } from './context.js';
import type { OnlineSigner } from './online-key.js';

/** How long before an offline-signed document expires it is warned about (design 16 §2.2). */
export const EXPIRY_WARNING_SECONDS = 30 * 86_400;
// Renewed by the registry itself: never "expiring soon", only expired.
const ONLINE_ROLES = new Set(['timestamp', 'snapshot']);

export async function tufStatus(metadata: MetadataStore, signer: OnlineSigner, now = Date.now()): Promise<TufStatus> {
  const head = await metadata.tufHead();
  const documents: Record<string, TufDocumentStatus> = {};
  const problems: TufStatus['problems'] = [];
  const warnings: TufStatus['warnings'] = [];
  for (const meta of Object.values(head.current).sort((a, b) => (a.role < b.role ? -1 : 1))) {
    const expiresInSeconds = Math.floor((Date.parse(meta.expires) - now) / 1000);
    documents[meta.role] = { version: meta.version, expires: meta.expires, expiresInSeconds };
    const name = `${meta.role}.json v${meta.version}`;
    if (expiresInSeconds <= 0) {
      problems.push({ code: meta.role === 'root' ? 'MODMESH_ROOT_EXPIRED' : 'MODMESH_META_EXPIRED', message: `${name} expired at ${meta.expires}` });
    } else if (!ONLINE_ROLES.has(meta.role) && expiresInSeconds < EXPIRY_WARNING_SECONDS) {
      warnings.push({ role: meta.role, message: `${name} expires at ${meta.expires}; sign a new one before then (hosts go stale when it expires)` });
    }
  }
  if (head.root > 0) {
    const root = await metadata.getMetadata('root', head.root);
    try {
      if (root) {
        const signed = parseSigned(root.bytes) as Parameters<OnlineSigner['signersFor']>[0];
        signer.signersFor(signed, 'timestamp');
        signer.signersFor(signed, 'snapshot');
      }
    } catch (error) {
      if (!isModmeshError(error)) throw error;
      problems.push({ code: error.code, message: error.message });
    }
  }
  return { mode: head.root > 0 ? 'root' : 'legacy', documents, problems, warnings };
}
