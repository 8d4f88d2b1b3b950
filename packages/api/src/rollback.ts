import type { TagMove } from './types.js';

/**
 * Where a rollback takes a tag: back over the newest move that has not been rolled back yet.
 * Each rollback undoes one move, so repeated rollbacks walk back through the history
 * (1.2 → 1.1 → 1.0) instead of bouncing between the last two versions.
 */
export function rollbackTarget(history: TagMove[]): string | null {
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
