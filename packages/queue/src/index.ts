export { DEAD_LETTER_AFTER } from './constants.ts';
export {
  createEmbeddedQueue,
  DEFAULT_LEASE_MS,
  DEFAULT_POLL_MS,
  type EmbeddedQueueOptions,
} from './embedded.queue.ts';
export { parseQueueEntry } from './entry.ts';
export type * from './queue.ts';
export { QueueFullError, QueueUnavailableError } from './redis-errors.ts';
export { DEFAULT_GROUP, DEFAULT_STREAM, type RedisStreamKeys, redisStreamKeys } from './redis-keys.ts';
export {
  createRedisStreamsQueue,
  DEFAULT_CLAIM_IDLE_MS,
  DEFAULT_HIGH_WATER_MARK,
  ERROR_STREAM_MAXLEN,
  type RedisStreamsQueue,
  type RedisStreamsQueueOptions,
} from './redis-streams.queue.ts';
