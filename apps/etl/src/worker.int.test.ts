import { type Db, migrate, openPglite } from '@fiberstack/db';
import { createEmbeddedQueue, DEAD_LETTER_AFTER, type Queue } from '@fiberstack/queue';
import { createTestDatabase, type TestDatabase } from '@fiberstack/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScheduler } from './rollup/scheduler.ts';
import { captureLogger, entry, sample, testConfig } from './test-support/fixtures.ts';
import { createEtlWorker } from './worker.ts';

type Engine = 'pglite' | 'postgres';

const count = async (db: Db, sql: string): Promise<number> =>
  Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]?.n);

describe.each<Engine>(['pglite', 'postgres'])('etl worker on %s', (engine) => {
  let db: Db;
  let testDb: TestDatabase | undefined;
  let queue: Queue;

  beforeAll(async () => {
    if (engine === 'postgres') {
      testDb = await createTestDatabase();
      db = testDb.db;
    } else {
      db = await openPglite();
      await migrate(db);
    }
    queue = createEmbeddedQueue({ db, leaseMs: 60_000, pollMs: 20 });
  });
  afterAll(async () => {
    await queue.close();
    if (testDb) await testDb.drop();
    else await db.close();
  });
  beforeEach(async () => {
    for (const table of ['queue_inbox', 'queue_dead_letter', 'sample_errors', 'samples', 'events', 'nodes']) {
      await db.query(`DELETE FROM ${table}`);
    }
  });

  it('loads a valid entry, acks it and logs one summary line', async () => {
    const { logger, lines } = captureLogger();
    const registry = new Registry();
    const worker = createEtlWorker({ db, queue, logger, metrics: registry }, testConfig());
    await queue.append(
      entry([sample(), sample({ target: 'https://example.com', check: 'http', http_status: 200 })]),
    );
    const result = await worker.runOnce();
    expect(result).toMatchObject({ outcome: 'committed', entries: 1, samples: 2, inserted: 2, rejected: 0 });
    expect(await count(db, 'samples')).toBe(2);
    expect(await count(db, 'queue_inbox')).toBe(0);
    const rows = await db.query<{ target: string; check: string; extra: unknown }>(
      'SELECT target, "check", extra FROM samples ORDER BY target',
    );
    expect(rows.rows.map((r) => [r.target, r.check])).toEqual([
      ['', 'icmp'],
      ['https://example.com', 'http'],
    ]);
    const summary = lines.find((l) => l.msg === 'etl batch');
    expect(summary).toMatchObject({
      entries: 1,
      samples: 2,
      inserted: 2,
      duplicates: 0,
      rejected: 0,
      dead_lettered: 0,
    });
    expect(typeof summary?.duration_ms).toBe('number');
    const metrics = await registry.metrics();
    expect(metrics).toContain('fiberstack_samples_loaded_total 2');
    expect(metrics).toContain('fiberstack_ingest_lag_seconds_count 2');
    await worker.stop();
  });

  it('stores a re-delivered entry once', async () => {
    const worker = createEtlWorker({ db, queue, logger: captureLogger().logger }, testConfig());
    const same = entry([sample()]);
    await queue.append(same);
    await queue.append(same);
    const result = await worker.runOnce();
    expect(result).toMatchObject({ entries: 2, inserted: 1, duplicates: 1 });
    await queue.append(same);
    expect(await worker.runOnce()).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(await count(db, 'samples')).toBe(1);
    await worker.stop();
  });

  it('records out-of-range samples in sample_errors and stores none of them', async () => {
    const registry = new Registry();
    const worker = createEtlWorker(
      { db, queue, logger: captureLogger().logger, metrics: registry },
      testConfig(),
    );
    const e = entry([
      sample({ latency_ms: 12_000 }),
      sample({ timestamp: new Date(Date.now() - 8 * 86_400_000).toISOString() }),
      sample({ timestamp: Date.now() + 3_600_000 }),
      sample({ latency_ms: 50, latency_min_ms: 10, latency_max_ms: 20 }),
    ]);
    await queue.append(e);
    expect(await worker.runOnce()).toMatchObject({ samples: 4, inserted: 0, rejected: 4 });
    expect(await count(db, 'samples')).toBe(0);
    expect(await count(db, 'queue_inbox')).toBe(0);
    const errors = await db.query<{
      message_id: string;
      sample_index: number;
      reason: string;
      sample: unknown;
    }>('SELECT message_id, sample_index, reason, sample FROM sample_errors ORDER BY sample_index');
    expect(errors.rows.map((r) => r.reason.split(':')[0])).toEqual([
      'latency_out_of_range',
      'timestamp_too_old',
      'timestamp_in_future',
      'latency_stats_inconsistent',
    ]);
    expect(errors.rows[0]).toMatchObject({ message_id: e.message_id, sample_index: 0, sample: e.samples[0] });
    expect(await registry.metrics()).toContain(
      'fiberstack_etl_samples_rejected_total{reason="latency_out_of_range"} 1',
    );
    await worker.stop();
  });

  it(`dead-letters a poison payload after exactly ${DEAD_LETTER_AFTER} deliveries while valid entries flow`, async () => {
    const worker = createEtlWorker({ db, queue, logger: captureLogger().logger }, testConfig());
    await db.query('INSERT INTO queue_inbox (message_id, payload) VALUES ($1, $2)', ['poison', '{not json']);
    for (let i = 1; i <= DEAD_LETTER_AFTER; i++) {
      await queue.append(entry([sample({ timestamp: Date.now() - i * 60_000 })]));
      const result = await worker.runOnce();
      expect(result).toMatchObject({ entries: 2, inserted: 1 });
      expect(result.dead_lettered).toBe(i === DEAD_LETTER_AFTER ? 1 : 0);
      expect(await count(db, 'queue_dead_letter')).toBe(i === DEAD_LETTER_AFTER ? 1 : 0);
    }
    const dl = await db.query<{ message_id: string; payload: string; deliveries: number; reason: string }>(
      'SELECT message_id, payload, deliveries, reason FROM queue_dead_letter',
    );
    expect(dl.rows[0]).toMatchObject({
      message_id: 'poison',
      payload: '{not json',
      deliveries: DEAD_LETTER_AFTER,
    });
    expect(dl.rows[0]?.reason).toMatch(/^invalid_payload/);
    expect(await count(db, 'queue_inbox')).toBe(0);
    expect(await count(db, 'samples')).toBe(DEAD_LETTER_AFTER);
    await worker.stop();
  });

  it('flags an outlier, stores it and records an outlier event', async () => {
    const worker = createEtlWorker({ db, queue, logger: captureLogger().logger }, testConfig());
    const base = Date.now() - 3_600_000;
    const normal = Array.from({ length: 15 }, (_, i) =>
      sample({ latency_ms: 20 + (i % 3), timestamp: base + i * 60_000 }),
    );
    await queue.append(entry([...normal, sample({ latency_ms: 400, timestamp: base + 20 * 60_000 })]));
    expect(await worker.runOnce()).toMatchObject({ inserted: 16, outliers: 1 });
    const flagged = await db.query<{ latency_ms: number }>('SELECT latency_ms FROM samples WHERE outlier');
    expect(flagged.rows.map((r) => r.latency_ms)).toEqual([400]);
    const events = await db.query<{ kind: string; node_id: string }>(
      "SELECT kind, node_id FROM events WHERE kind = 'outlier'",
    );
    expect(events.rows).toEqual([{ kind: 'outlier', node_id: 'probe-gh-accra-01' }]);
    await worker.stop();
  });

  it('stop() during running batches commits what was read and leaves nothing leased', async () => {
    const worker = createEtlWorker(
      { db, queue, logger: captureLogger().logger },
      testConfig({ batchSize: 20, blockMs: 50 }),
    );
    for (let i = 0; i < 100; i++) {
      const samples = Array.from({ length: 20 }, (_, j) =>
        sample({ timestamp: Date.now() - (i * 20 + j + 1) * 1000 }),
      );
      await queue.append(entry(samples));
    }
    await worker.start();
    while ((await count(db, 'samples')) === 0) await new Promise((r) => setTimeout(r, 5));
    await worker.stop();
    await worker.stop();
    const remaining = await count(db, 'queue_inbox');
    expect(await count(db, 'queue_inbox WHERE leased_by IS NOT NULL')).toBe(0);
    expect(await count(db, 'samples')).toBe((100 - remaining) * 20);
    expect(await worker.runOnce()).toMatchObject({ outcome: 'empty' });
  });

  it('late data corrects the hourly rollup after the scheduler runs', async () => {
    const { logger } = captureLogger();
    const worker = createEtlWorker({ db, queue, logger }, testConfig());
    const scheduler = createScheduler({ db, logger }, testConfig());
    const hour = Math.floor((Date.now() - 5 * 3_600_000) / 3_600_000) * 3_600_000;
    await queue.append(entry([sample({ latency_ms: 10, timestamp: hour + 60_000 })]));
    await worker.runOnce();
    expect(await scheduler.runRollups()).toMatchObject({ hourly: 1 });
    const read = async () =>
      (
        await db.query<{ samples: number; latency_avg: number }>(
          'SELECT samples, latency_avg FROM samples_hourly WHERE bucket = $1',
          [new Date(hour)],
        )
      ).rows[0];
    expect(await read()).toMatchObject({ samples: 1, latency_avg: 10 });
    await queue.append(entry([sample({ latency_ms: 30, timestamp: hour + 120_000 })]));
    await worker.runOnce();
    await scheduler.runRollups();
    expect(await read()).toMatchObject({ samples: 2, latency_avg: 20 });
    expect(await scheduler.runRetention()).not.toBeNull();
    await scheduler.stop();
    await worker.stop();
  });
});
