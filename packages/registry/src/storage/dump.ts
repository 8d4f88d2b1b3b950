import { ModmeshError } from '@modmesh/manifest';
import type { DumpRecord } from './types.js';

/**
 * The one rule every backend's `restore` follows for a record it already holds: identical
 * (whatever the key order of its JSON) is skipped, anything else refuses the import.
 */
export function checkSameRecord(incoming: DumpRecord, stored: DumpRecord | undefined): 'add' | 'unchanged' {
  if (stored === undefined) return 'add';
  if (stableJson(incoming) === stableJson(stored)) return 'unchanged';
  throw new ModmeshError('MODMESH_IMPORT_CONFLICT', `the target registry already has ${describeRecord(incoming)} with other contents`, {
    ...subjectOf(incoming),
  });
}

/** What a record is, for messages: "release auth@1.0.0", "event #12". */
export function describeRecord(record: DumpRecord): string {
  switch (record.record) {
    case 'release':
      return `release ${record.release.name}@${record.release.version}`;
    case 'tag':
      return `tag ${record.tag.name}@${record.tag.tag}`;
    case 'tagMove':
      return `audit log entry #${record.move.id} (${record.move.name}@${record.move.tag})`;
    case 'event':
      return `event #${record.event.id}`;
    case 'key':
      return `publisher key ${record.key.keyId} of ${record.key.name}`;
    case 'token':
      return `token ${record.token.id}`;
    case 'tufMetadata':
      return `TUF document ${record.metadata.version}.${record.metadata.role}.json`;
    case 'audit':
      return `audit entry #${record.entry.id}`;
  }
}

/** JSON with object keys sorted at every level, so equal values compare equal as text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, function sortKeys(_key, inner: unknown) {
    if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

// --- internal ---

function subjectOf(record: DumpRecord): { remote?: string; version?: string } {
  if (record.record === 'release') return { remote: record.release.name, version: record.release.version };
  if (record.record === 'tag') return { remote: record.tag.name };
  if (record.record === 'tagMove') return { remote: record.move.name };
  if (record.record === 'key') return { remote: record.key.name };
  return {};
}
