import { describe, expect, it } from 'vitest';
import { readLoginLimits } from './config.js';

describe('readLoginLimits', () => {
  it('reads the limits that are set, keeps the defaults for the rest, and turns them off in development only', () => {
    expect(readLoginLimits({})).toEqual({});
    expect(readLoginLimits({ AUTH_LOGIN_MAX_FAILURES: '3', AUTH_LOGIN_WINDOW_SECONDS: '60' })).toEqual({ perUsername: 3, windowSeconds: 60 });
    expect(readLoginLimits({ AUTH_LOGIN_LIMITS: 'off', NODE_ENV: 'development' })).toBe(false);
    expect(() => readLoginLimits({ AUTH_LOGIN_LIMITS: 'off', NODE_ENV: 'production' })).toThrow(expect.objectContaining({ code: 'AUTH_CONFIG_INVALID' }));
  });

  it('refuses a limit that is not a whole number of at least 1, naming the variable', () => {
    for (const text of ['0', '-1', '2.5', 'many']) {
      expect(() => readLoginLimits({ AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: text })).toThrow(
        expect.objectContaining({ code: 'AUTH_CONFIG_INVALID', message: expect.stringContaining('AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS') }),
      );
    }
  });
});
