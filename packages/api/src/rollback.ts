import type { TagMove } from './types.js';

/**
 * Where a rollback takes a tag (`POST .../tags/:tag/rollback`), from that tag's audit log,
 * newest first: back over the newest move that has not been rolled back yet. Each rollback
 * undoes one move, so repeated rollbacks walk back through the history (1.2 → 1.1 → 1.0) instead
 * of bouncing between the last two versions. Null when there is nothing left to undo. The
 * registry moves by it, and the dashboard shows by it where a rollback would go.
 *
 * @example
 * rollbackTarget((await client.history('auth', 'stable')).history) // '1.1.0'
 */
export function rollbackTarget(history: readonly Pick<TagMove, 'from' | 'kind'>[]): string | null {
  let undone = 0;
  for (const move of history) {
    if (move.kind === 'rollback') {
      undone += 1;
      continue;
    }
    if (undone > 0) {
      undone -= 1;
      continue;
    }
    return move.from;
  }
  return null;
}
