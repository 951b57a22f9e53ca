import { ConfigError, validateEnv } from '@fiberstack/runtime';
import { Type } from '@sinclair/typebox';

const Env = Type.Object({
  ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  CORS_ORIGINS: Type.String({ default: '' }),
  API_KEY_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 24 })),
  TRUST_PROXY: Type.Boolean({ default: false }),
  RATE_LIMIT_PUSH_PER_MIN: Type.Integer({ minimum: 1, default: 100 }),
  RATE_LIMIT_READ_PER_MIN: Type.Integer({ minimum: 1, default: 1000 }),
  RATE_LIMIT_ENABLED: Type.Boolean({ default: true }),
  API_KEY_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 10_000 }),
  API_KEY_STALE_IF_ERROR_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 3_600_000 }),
  API_ROLLUP_CACHE_MB: Type.Integer({ minimum: 0, maximum: 4096, default: 32 }),
});

export interface ApiConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  /** Origins allowed by CORS on read/admin routes (never on /api/push). */
  readonly corsOrigins: readonly string[];
  /** Set when given; required in production. */
  readonly apiKeySecret: string | undefined;
  readonly adminToken: string | undefined;
  readonly trustProxy: boolean;
  readonly rateLimit: {
    readonly enabled: boolean;
    /** Requests per minute per probe key on /api/push. */
    readonly pushPerMinute: number;
    /** Requests per minute per client IP on every other route. */
    readonly readPerMinute: number;
  };
  readonly keyCache: {
    /** A verified probe key is trusted this long before the database is asked again. */
    readonly ttlMs: number;
    /** While PostgreSQL is unreachable, keys verified within this long keep pushing. */
    readonly staleIfErrorMs: number;
  };
  readonly rollupCache: {
    /** Most bytes of rollup answers kept per process (services/rollup-cache.ts); 0: none. */
    readonly maxBytes: number;
    /** The rollups' generation is read again after this long: the most an answer lags them. */
    readonly checkMs: number;
  };
}

/** How often a process asks whether the rollups changed (its cached answers lag by at most this). */
export const ROLLUP_CACHE_CHECK_MS = 1_000;

/** Development-only pepper, used when API_KEY_SECRET is unset outside production. */
export const DEV_API_KEY_SECRET = 'fiberstack-dev-only-api-key-secret-change-me';

/** Reads the API's environment once; throws one ConfigError listing every problem. */
export function loadApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  // The deployment model writes ENV=dev / ENV=prod; both spellings are accepted.
  const aliases: Record<string, string> = { dev: 'development', prod: 'production' };
  const envName = env.ENV ? (aliases[env.ENV] ?? env.ENV) : undefined;
  const { value, problems } = validateEnv(Env, { ...env, ENV: envName });
  if (value.ENV === 'production') {
    if (!env.API_KEY_SECRET) problems.push('API_KEY_SECRET: required when ENV=production (missing)');
    if (!env.ADMIN_TOKEN) problems.push('ADMIN_TOKEN: required when ENV=production (missing)');
  }
  const origins = String(value.CORS_ORIGINS)
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^\s/]+$/.test(origin))
      problems.push(`CORS_ORIGINS: "${origin}" is not an origin like https://host[:port]`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    env: value.ENV,
    host: value.HOST,
    port: value.PORT,
    corsOrigins: Object.freeze(origins),
    apiKeySecret: value.API_KEY_SECRET,
    adminToken: value.ADMIN_TOKEN,
    trustProxy: value.TRUST_PROXY,
    rateLimit: Object.freeze({
      enabled: value.RATE_LIMIT_ENABLED,
      pushPerMinute: value.RATE_LIMIT_PUSH_PER_MIN,
      readPerMinute: value.RATE_LIMIT_READ_PER_MIN,
    }),
    keyCache: Object.freeze({
      ttlMs: value.API_KEY_CACHE_TTL_MS,
      staleIfErrorMs: value.API_KEY_STALE_IF_ERROR_MS,
    }),
    rollupCache: Object.freeze({
      maxBytes: value.API_ROLLUP_CACHE_MB * 1024 * 1024,
      checkMs: ROLLUP_CACHE_CHECK_MS,
    }),
  });
}
