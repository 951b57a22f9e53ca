import { type Db, openPostgres } from '@fiberstack/db';
import { createTestDatabase, type TestDatabase } from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test-support/harness.ts';

let t: TestDatabase;
let slow: Db;
let h: Harness;
const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
/**
 * Far below what reading 432,000 rows takes (hundreds of ms), far above a small query even on a
 * machine busy with other tests.
 */
const TIMEOUT_MS = 50;

beforeAll(async () => {
  t = await createTestDatabase();
  // 30 days of minute samples for 10 targets: 432,000 rows, written by the server itself.
  await t.db.query(
    `INSERT INTO samples (node_id, target, "check", time, country, region, latency_ms, uptime_pct, packet_loss, received_at)
     SELECT 'probe-gh-big-01', 't' || tg, 'icmp', $1::timestamptz - m * interval '1 minute', 'GH', 'Ashanti',
            20 + (m % 7), 100, 0, now()
     FROM generate_series(1, 43200) AS m, generate_series(1, 10) AS tg`,
    [end],
  );
  slow = await openPostgres({ connectionString: t.url, max: 2, statementTimeoutMs: TIMEOUT_MS });
  h = await startHarness({}, { db: slow });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await slow?.close();
  await t?.drop();
});

describe('reads bounded by the statement timeout', () => {
  it('answers a query cut short by statement_timeout 503 problem+json with advice, not a 500', async () => {
    const started = performance.now();
    const res = await h.app.inject({
      url: '/api/metrics',
      query: {
        node_id: 'probe-gh-big-01',
        start: new Date(end.getTime() - 30 * 86_400_000).toISOString(),
        end: end.toISOString(),
        max_points: '1000',
      },
    });
    const ms = Math.round(performance.now() - started);
    console.log(
      `30-day bucketed raw query over 432,000 rows with statement_timeout ${TIMEOUT_MS} ms: ${res.statusCode} in ${ms} ms`,
    );
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'FS_ERR_QUERY_TIMEOUT', status: 503 });
    expect(res.json().detail).toMatch(/narrow the time range/);
  });

  it('still answers a small query on the same connections', async () => {
    const res = await h.app.inject({ url: '/api/nodes' });
    expect(res.statusCode).toBe(200);
  });
});
