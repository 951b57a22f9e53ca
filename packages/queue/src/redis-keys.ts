/** Redis key names used by the Redis Streams queue. */
export interface RedisStreamKeys {
  /** The samples stream, read by one consumer group. */
  stream: string;
  /** Dead-letter stream: entries that failed `deadLetterAfter` deliveries, with the reason. */
  dead: string;
  /** Error stream: invalid samples kept for review (capped, not data). */
  errors: string;
}

export const DEFAULT_STREAM = 'fiberstack:samples';
export const DEFAULT_GROUP = 'etl';

/** `keyPrefix` isolates tests (and tenants) that share one Redis. */
export function redisStreamKeys(stream = DEFAULT_STREAM, keyPrefix = ''): RedisStreamKeys {
  const base = `${keyPrefix}${stream}`;
  return { stream: base, dead: `${base}:dead`, errors: `${base}:errors` };
}
