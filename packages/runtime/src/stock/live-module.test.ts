import { describe, expect, it } from 'vitest';
import { createLiveModule } from './live-module.js';

describe('a stock host’s view of a remote module, across swaps', () => {
  it('function exports taken apart at load time call the running release; values are read when read', () => {
    let running: Record<string, unknown> = { validate: (token: string) => `1.0.0 checked ${token}`, VERSION: '1.0.0' };
    const live = createLiveModule(() => running) as { validate(token: string): string; VERSION: string };
    const { validate, VERSION } = live;
    expect(validate('a')).toBe('1.0.0 checked a');
    running = { validate: (token: string) => `1.1.0 checked ${token}`, VERSION: '1.1.0' };
    expect(validate('b')).toBe('1.1.0 checked b');
    expect(live.VERSION).toBe('1.1.0');
    expect(VERSION).toBe('1.0.0');
    expect(live.validate).toBe(validate);
  });

  it('lists the running release’s exports, and keeps what the host’s runtime puts on it (a Module Federation symbol)', () => {
    let running: Record<string, unknown> = { a: 1, __esModule: true };
    const live = createLiveModule(() => running);
    const tag = Symbol('mf_module_id');
    Object.defineProperty(live, tag, { value: 'auth/tokenValidator' });
    expect((live as Record<symbol, unknown>)[tag]).toBe('auth/tokenValidator');
    running = { a: 2, b: 3, __esModule: true };
    expect(Object.keys(live)).toEqual(['a', 'b', '__esModule']);
    expect({ ...live }).toEqual({ a: 2, b: 3, __esModule: true });
    expect('b' in live).toBe(true);
  });

  it('a method called on the module object runs with the running release as `this`', () => {
    const running = {
      name: 'auth',
      describe() {
        return `I am ${this.name}`;
      },
    };
    const live = createLiveModule(() => running) as typeof running;
    expect(live.describe()).toBe('I am auth');
  });
});
