import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';
import { loadEtlConfig } from './config.ts';

describe('loadEtlConfig', () => {
  it('has the documented defaults and is frozen', () => {
    const config = loadEtlConfig({ ETL_CONSUMER: 'w1' });
    expect(config).toMatchObject({
      consumer: 'w1',
      batchSize: 500,
      nice: 10,
      maxPastMs: 7 * 86_400_000,
      maxFutureMs: 300_000,
      backoffMinMs: 250,
      backoffMaxMs: 30_000,
      scheduler: {
        rollupIntervalMs: 60_000,
        retentionIntervalMs: 3_600_000,
        retention: { rawDays: 7, hourlyDays: 90, dailyDays: 365 },
      },
    });
    expect(Object.isFrozen(config.scheduler.retention)).toBe(true);
  });

  it('reports every invalid variable at once', () => {
    expect(() =>
      loadEtlConfig({ ETL_BATCH_SIZE: '0', ETL_MAX_FUTURE_S: 'x', ETL_CONSUMER: 'bad name', ETL_NICE: '20' }),
    ).toThrow(/ETL_CONSUMER[\s\S]*ETL_BATCH_SIZE[\s\S]*ETL_NICE[\s\S]*ETL_MAX_FUTURE_S/);
  });
});

describe('backoffDelay', () => {
  it('doubles from the minimum, is capped and jittered into [d/2, d]', () => {
    expect(backoffDelay(1, 250, 30_000, () => 1)).toBe(250);
    expect(backoffDelay(2, 250, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 250, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(50, 250, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(50, 250, 30_000, () => 0)).toBe(15_000);
  });
});
