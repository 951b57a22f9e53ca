import { describe, expect, it } from 'vitest';
import { loadProductionConfig } from './production-config.ts';

const BASE = { DATABASE_URL: 'postgres://fiberstack@db:5432/fiberstack', REDIS_URL: 'redis://redis:6379' };

describe('loadProductionConfig', () => {
  it('takes LOG_LEVEL for the api and etl loggers, info when unset', () => {
    expect(loadProductionConfig(BASE).logLevel).toBe('info');
    expect(loadProductionConfig({ ...BASE, LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it('refuses a LOG_LEVEL that names no level, with the other problems at once', () => {
    expect(() => loadProductionConfig({ ...BASE, LOG_LEVEL: 'verbose', REDIS_URL: 'http://x' })).toThrow(
      /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent[\s\S]*REDIS_URL|REDIS_URL[\s\S]*LOG_LEVEL: must be one of/,
    );
  });
});
