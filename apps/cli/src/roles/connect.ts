import { type Db, migrate, openPostgres } from '@fiberstack/db';
import type { Logger } from '@fiberstack/logging';
import { createEmbeddedQueue, createRedisStreamsQueue, type Queue } from '@fiberstack/queue';
import { Redis } from 'ioredis';
import type { ProductionConfig } from './production-config.ts';

export interface Connections {
  db: Db;
  queue: Queue;
  /** A plain Redis connection for rate limits (api), when Redis is configured. */
  redis: Redis | undefined;
  close(): Promise<void>;
}

/** Opens PostgreSQL (migrating it) and the queue for a production role. */
export async function connect(
  config: ProductionConfig,
  logger: Logger,
  role: string,
  consumer: string,
): Promise<Connections> {
  const db = await openPostgres({
    connectionString: config.databaseUrl,
    max: config.dbPoolMax,
    statementTimeoutMs: role === 'api' ? config.statementTimeoutMs.api : config.statementTimeoutMs.etl,
    applicationName: `fiberstack-${role}`,
  });
  try {
    const { applied } = await migrate(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  } catch (err) {
    await db.close();
    throw new Error('database migration failed', { cause: err });
  }
  let redis: Redis | undefined;
  let queue: Queue;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      connectionName: `fiberstack-${role}-${consumer}`,
    });
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    queue = createRedisStreamsQueue({
      url: config.redisUrl,
      stream: config.queue.stream,
      consumer,
      highWaterMark: config.queue.highWaterMark,
      claimIdleMs: config.queue.claimIdleMs,
      onError: (err) => logger.warn({ err }, 'queue connection error'),
    });
  } else {
    logger.warn('REDIS_URL is not set: the queue is the inbox table in PostgreSQL');
    queue = createEmbeddedQueue({ db });
  }
  return {
    db,
    queue,
    redis,
    async close() {
      await queue.close();
      redis?.disconnect();
      await db.close();
    },
  };
}
