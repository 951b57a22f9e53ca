import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from './env.ts';

const Schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8000 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  DEBUG: Type.Boolean({ default: false }),
  API_KEY_SECRET: Type.String({ minLength: 16 }),
  MODE: Type.Union([Type.Literal('embedded'), Type.Literal('production')], { default: 'embedded' }),
});

describe('loadEnv', () => {
  it('applies defaults and coerces numbers and booleans', () => {
    const cfg = loadEnv(Schema, { PORT: '9000', DEBUG: 'true', API_KEY_SECRET: 'x'.repeat(16), OTHER: 'y' });
    expect(cfg).toEqual({
      PORT: 9000,
      HOST: '0.0.0.0',
      DEBUG: true,
      API_KEY_SECRET: 'x'.repeat(16),
      MODE: 'embedded',
    });
  });

  it('reports every problem in one error and hides secret values', () => {
    let error: unknown;
    try {
      loadEnv(Schema, { PORT: 'abc', MODE: 'cluster', API_KEY_SECRET: 'short-secret' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/MODE/);
    expect(problems).toMatch(/API_KEY_SECRET/);
    expect((error as Error).message).not.toContain('short-secret');
  });

  it('treats empty strings as unset', () => {
    expect(() => loadEnv(Schema, { API_KEY_SECRET: '' })).toThrow(/API_KEY_SECRET: .*missing/);
  });
});
