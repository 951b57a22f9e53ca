import { ConfigError } from '@fiberstack/runtime';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './config.ts';

describe('loadApiConfig', () => {
  it('has working defaults outside production', () => {
    const cfg = loadApiConfig({});
    expect(cfg).toMatchObject({
      env: 'development',
      port: 8000,
      host: '0.0.0.0',
      corsOrigins: [],
      rateLimit: { enabled: true, pushPerMinute: 100, readPerMinute: 1000 },
    });
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('parses CORS_ORIGINS and rate limits', () => {
    const cfg = loadApiConfig({
      CORS_ORIGINS: 'https://a.example, http://localhost:5173',
      RATE_LIMIT_PUSH_PER_MIN: '50',
      PORT: '9000',
    });
    expect(cfg.corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(cfg.rateLimit.pushPerMinute).toBe(50);
    expect(cfg.port).toBe(9000);
  });

  it('reports every problem at once, production secrets included', () => {
    let error: unknown;
    try {
      loadApiConfig({ ENV: 'production', PORT: '70000', CORS_ORIGINS: 'evil', RATE_LIMIT_PUSH_PER_MIN: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'CORS_ORIGINS', 'RATE_LIMIT_PUSH_PER_MIN', 'API_KEY_SECRET', 'ADMIN_TOKEN'])
      expect(text).toContain(name);
  });
});

describe('ENV spellings of the deployment model', () => {
  it('treats ENV=prod as production (secrets required) and ENV=dev as development', () => {
    expect(() => loadApiConfig({ ENV: 'prod' })).toThrow(/API_KEY_SECRET: required when ENV=production/);
    expect(loadApiConfig({ ENV: 'dev' }).env).toBe('development');
  });
});
