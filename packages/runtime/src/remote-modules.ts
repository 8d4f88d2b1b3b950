/**
 * The modules of remotes, by the id a host imports them with (`'auth/tokenValidator'`) → the
 * module's type. Empty here: `modmesh types pull` declares the ids of the remotes a host uses,
 * from the declarations their signed releases carry, so that `mesh.import('auth/tokenValidator')`
 * and `mesh.live(...)` are typed without a type argument, and a wrong call is a type error.
 *
 * @example
 * // written by `modmesh types pull auth@stable` (runtime.d.ts)
 * declare module '@modmesh/runtime' {
 *   interface RemoteModules { 'auth/tokenValidator': typeof import('auth/tokenValidator') }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging, from `modmesh types pull`
export interface RemoteModules {}

/** An id `modmesh types pull` declared. */
export type RemoteModuleId = keyof RemoteModules & string;
