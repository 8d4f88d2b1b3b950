import { describe, expect, it } from 'vitest';
import { rollbackTarget } from './rollback.js';
import type { TagMoveKind } from './types.js';

describe('rollbackTarget', () => {
  const move = (from: string | null, to: string, kind: TagMoveKind = 'move') => ({ from, to, kind });
  it('undoes the newest move not already undone', () => {
    expect(rollbackTarget([move('1.1', '1.2'), move('1.0', '1.1'), move(null, '1.0')])).toBe('1.1');
    expect(rollbackTarget([move('1.2', '1.1', 'rollback'), move('1.1', '1.2'), move('1.0', '1.1'), move(null, '1.0')])).toBe('1.0');
    expect(rollbackTarget([move('1.1', '1.3'), move('1.2', '1.1', 'rollback'), move('1.1', '1.2'), move(null, '1.1')])).toBe('1.1');
    expect(rollbackTarget([move(null, '1.0')])).toBeNull();
    expect(rollbackTarget([])).toBeNull();
  });
});
