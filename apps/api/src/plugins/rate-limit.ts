import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { ApiConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import { parseBearerKey } from '../services/api-keys.ts';

/**
 * Rate limits: `readPerMinute` per client IP everywhere, `pushPerMinute` per probe key on
 * /api/push. Counters live in Redis when given (shared by every API replica), else in process.
 * When Redis is unreachable the limiter lets requests through: the push path then fails fast
 * on the queue with 503 + Retry-After, and health routes keep answering.
 */
export async function registerRateLimit(
  app: FastifyInstance,
  config: ApiConfig['rateLimit'],
  redis?: Redis,
): Promise<void> {
  await app.register(rateLimit, {
    ...(redis ? { redis, nameSpace: 'fiberstack:ratelimit:', skipOnError: true } : {}),
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
