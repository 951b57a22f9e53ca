import { type Db, openPostgres } from '@fiberstack/db';
import { createEmbeddedQueue, createRedisStreamsQueue, type Queue } from '@fiberstack/queue';
import { createTestDatabase, startRedisServer, type TestDatabase } from '@fiberstack/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, entry, sample, testConfig } from './test-support/fixtures.ts';
import { startTcpProxy, type TcpProxy } from './test-support/tcp-proxy.ts';
import { createEtlWorker } from './worker.ts';

const count = async (db: Db, sql: string): Promise<number> =>
  Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]?.n);

const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** The worker loads through a TCP proxy that the test takes down: a real connection-refused outage. */
describe('etl worker during a PostgreSQL outage', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let workerDb: Db;
  let queue: Queue;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    queue = createEmbeddedQueue({ db: testDb.db, leaseMs: 60_000 });
  });
  afterAll(async () => {
    await queue.close();
    await testDb.drop();
  });
  beforeEach(async () => {
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(testDb.url).port || 5432));
    const url = new URL(testDb.url);
    url.host = `127.0.0.1:${proxy.port}`;
    workerDb = await openPostgres({ connectionString: url.toString(), max: 2 });
    for (const table of ['queue_inbox', 'queue_dead_letter', 'samples'])
      await testDb.db.query(`DELETE FROM ${table}`);
  });
  afterEach(async () => {
    await workerDb.close();
    await proxy.close();
  });

  it('does not ack, retries with backoff and never dead-letters; commits once the DB is back', async () => {
    const { logger, lines } = captureLogger();
    const worker = createEtlWorker({ db: workerDb, queue, logger }, testConfig());
    await queue.append(entry([sample()]));
    await proxy.down();
    const running = worker.runOnce();
    await until(() => lines.filter((l) => l.msg === 'etl batch failed; retrying').length >= 3);
    expect(await count(testDb.db, 'queue_inbox')).toBe(1);
    expect(await count(testDb.db, 'queue_dead_letter')).toBe(0);
    expect(await count(testDb.db, 'samples')).toBe(0);
    await proxy.up();
    const result = await running;
    expect(result.outcome).toBe('committed');
    expect(result.attempts).toBeGreaterThanOrEqual(4);
    expect(result.inserted).toBe(1);
    expect(await count(testDb.db, 'queue_inbox')).toBe(0);
    expect(await count(testDb.db, 'queue_dead_letter')).toBe(0);
    expect(await count(testDb.db, 'samples')).toBe(1);
    await worker.stop();
  });

  it('stop() waits for the in-flight batch to commit and ack', async () => {
    const { logger, lines } = captureLogger();
    const worker = createEtlWorker({ db: workerDb, queue, logger }, testConfig());
    await queue.append(entry([sample(), sample({ target: '8.8.8.8' })]));
    await proxy.down();
    await worker.start();
    await until(() => lines.some((l) => l.msg === 'etl batch failed; retrying'));
    const stopping = worker.stop();
    await new Promise((r) => setTimeout(r, 100));
    await proxy.up();
    await stopping;
    expect(await count(testDb.db, 'samples')).toBe(2);
    expect(await count(testDb.db, 'queue_inbox')).toBe(0);
  });

  it('abandons the batch unacked when stop() times out, without dead-lettering it', async () => {
    const { logger } = captureLogger();
    const worker = createEtlWorker({ db: workerDb, queue, logger }, testConfig({ stopTimeoutMs: 200 }));
    await queue.append(entry([sample()]));
    await proxy.down();
    const running = worker.runOnce();
    await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    expect(await running).toMatchObject({ outcome: 'abandoned', inserted: 0 });
    expect(await count(testDb.db, 'queue_inbox')).toBe(1);
    expect(await count(testDb.db, 'queue_dead_letter')).toBe(0);
  });
});

/** Redis Streams: other consumers must not reclaim (and count a delivery of) a batch under retry. */
describe('etl worker on Redis Streams during a PostgreSQL outage', () => {
  it('keeps its retried batch: an idle consumer reclaims nothing, the entry is never dead-lettered', async () => {
    const testDb = await createTestDatabase();
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(testDb.url).port || 5432));
    const url = new URL(testDb.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const workerDb = await openPostgres({ connectionString: url.toString(), max: 2 });
    const redis = await startRedisServer();
    const options = { url: redis.url, claimIdleMs: 200, claimIntervalMs: 0, deadLetterAfter: 2 };
    const queue = createRedisStreamsQueue(options);
    const idle = createRedisStreamsQueue(options);
    try {
      const { logger, lines } = captureLogger();
      const worker = createEtlWorker({ db: workerDb, queue, logger }, testConfig());
      await queue.append(entry([sample()]));
      await proxy.down();
      const running = worker.runOnce();
      await until(() => lines.some((l) => l.msg === 'etl batch failed; retrying'));
      // Well past claimIdleMs, again and again: the retried entry stays with its worker.
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 250));
        expect(await idle.read({ consumer: 'idle', max: 10, blockMs: 0 })).toEqual([]);
      }
      await proxy.up();
      expect(await running).toMatchObject({ outcome: 'committed', inserted: 1, dead_lettered: 0 });
      expect(await queue.stats()).toMatchObject({ depth: 0, pending: 0, dead_letter: 0 });
      await worker.stop();
    } finally {
      await idle.close();
      await queue.close();
      await redis.stop();
      await workerDb.close();
      await proxy.close();
      await testDb.drop();
    }
  });
});
