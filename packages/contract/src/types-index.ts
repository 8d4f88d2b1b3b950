import { ModmeshError } from '@modmesh/manifest';
import type { Declarations } from './declarations.js';

/** What RELEASE_TYPES_INDEX (`modmesh-types.json`) holds beside a container's declarations. */
export interface TypesIndex {
  schema: typeof TYPES_INDEX_SCHEMA;
  name: string;
  target: 'node' | 'web';
  /** Exposed module → its module in the declarations (`{ "./tokenValidator": "src/tokenValidator" }`). */
  exposes: Record<string, string>;
}

export const TYPES_INDEX_SCHEMA = 'modmesh.types/v1';

/** The index `modmesh build` writes beside the declarations of one container. */
export function typesIndexOf(name: string, target: 'node' | 'web', declarations: Declarations): TypesIndex {
  return { schema: TYPES_INDEX_SCHEMA, name, target, exposes: declarations.exposes };
}

/**
 * A container's declarations from the two files of a release (index and declarations, as text),
 * checked for shape: a release signed by its publisher is still read as data, never trusted to
 * be well formed. `where` names the release in the error.
 */
export function readDeclarations(indexText: string, text: string, where: string): Declarations & { index: TypesIndex } {
  let index: unknown;
  try {
    index = JSON.parse(indexText);
  } catch {}
  const candidate = index as Partial<TypesIndex> | undefined;
  const exposes = candidate?.exposes;
  const valid =
    candidate?.schema === TYPES_INDEX_SCHEMA &&
    typeof candidate.name === 'string' &&
    (candidate.target === 'node' || candidate.target === 'web') &&
    typeof exposes === 'object' &&
    exposes !== null &&
    Object.entries(exposes).every(([expose, module]) => EXPOSE.test(expose) && typeof module === 'string' && MODULE.test(module));
  if (!valid) {
    throw new ModmeshError('MODMESH_MANIFEST_INVALID', `${where}: its declarations index is not a ${TYPES_INDEX_SCHEMA} document`, {
      hint: 'Rebuild the remote with `modmesh build` (which writes it) and publish that release.',
    });
  }
  return { index: candidate as TypesIndex, text, exposes: { ...(exposes as Record<string, string>) } };
}

// --- internal ---

const EXPOSE = /^\.\/[\w./-]+$/;
// A module of the declarations: a relative path without extension, as TypeScript names it.
const MODULE = /^[\w@$.-]+(\/[\w@$.-]+)*$/;
