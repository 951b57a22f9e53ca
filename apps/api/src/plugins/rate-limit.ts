import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import { parseBearerKey } from '../services/api-keys.ts';

/**
 * In-memory rate limits (the Redis store, shared by replicas, comes with production mode):
 * `readPerMinute` per client IP everywhere, `pushPerMinute` per probe key on /api/push.
 */
export async function registerRateLimit(app: FastifyInstance, config: ApiConfig['rateLimit']): Promise<void> {
  await app.register(rateLimit, {
    global: config.enabled,
    max: config.readPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `ip:${request.ip}`,
    errorResponseBuilder: (_request, context) =>
      new ApiError('FS_ERR_RATE_LIMITED', `rate limit of ${context.max} requests per minute exceeded`, {
        retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });
}

/** Route config for /api/push: limited per key prefix (per client IP without a well-formed key). */
export function pushRateLimit(config: ApiConfig['rateLimit']) {
  if (!config.enabled) return false as const;
  return {
    max: config.pushPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => {
      const parsed = parseBearerKey(request.headers.authorization);
      return parsed ? `key:${parsed.prefix}` : `ip:${request.ip}`;
    },
  };
}
