import { createTestDatabase, type TestDatabase } from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, testConfig } from '../test-support/fixtures.ts';
import { createScheduler, SCHEDULER_LOCK_KEYS } from './scheduler.ts';

describe('scheduler guard on PostgreSQL', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('skips a job while another worker holds its advisory lock, runs it afterwards', async () => {
    const scheduler = createScheduler({ db: testDb.db, logger: captureLogger().logger }, testConfig());
    await testDb.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEDULER_LOCK_KEYS.rollups]);
      expect(await scheduler.runRollups()).toBeNull();
      expect(await scheduler.runRetention()).not.toBeNull();
    });
    expect(await scheduler.runRollups()).toEqual({ hourly: 0, daily: 0, fleet: 0 });
    await scheduler.stop();
  });

  it('start() runs a first refresh and stop() clears its timers', async () => {
    const { logger, lines } = captureLogger();
    const scheduler = createScheduler({ db: testDb.db, logger }, testConfig());
    await scheduler.start();
    await scheduler.start();
    await scheduler.stop();
    await scheduler.stop();
    expect(lines.filter((l) => l.msg === 'scheduler started')).toHaveLength(1);
  });
});
