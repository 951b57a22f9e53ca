import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blueprintSample,
  isProblem4xx,
  MODES,
  printFigures,
  rejectedTotal,
  type SecApi,
  startSecApi,
  tally,
} from './support.ts';

/**
 * S9: 10 000 samples whose timestamp is outside the policy now − 7 d ≤ ts ≤ now + 5 min (or not
 * a time at all): more than 5 min ahead, older than the backfill, 0, negative, 1e16, years past
 * 9999, as ms and as ISO strings. Half are single pushes, half batches of 100 with nothing valid.
 * All are rejected (400/422), counted in fiberstack_samples_rejected_total, none queued. The API's
 * clock is fixed, so the exact edges are checked too.
 */
const SEED = 9_009;
const COUNT = 10_000;
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const SKEW = 5 * 60_000;
const BACKFILL = 7 * 24 * 3600_000;

const badTimestamp: fc.Arbitrary<string | number> = fc.oneof(
  fc.integer({ min: NOW + SKEW + 1, max: 8_640_000_000_000_000 }),
  fc.integer({ min: NOW + SKEW + 1, max: NOW + 400 * 24 * 3600_000 }),
  fc.integer({ min: 0, max: NOW - BACKFILL - 1 }),
  fc.integer({ min: NOW - 30 * 24 * 3600_000, max: NOW - BACKFILL - 1 }),
  fc.constant(0),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -1 }),
  fc.constantFrom(1e16, 8_640_000_000_000_001, Number.MAX_SAFE_INTEGER, -1e16, 1.5e12 + 0.5),
  fc
    .date({ min: new Date(NOW + SKEW + 1), max: new Date(8_640_000_000_000_000), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc
    .date({ min: new Date(-8_640_000_000_000_000), max: new Date(NOW - BACKFILL - 1), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '1970-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-03-01T12:00:00',
    '2026-03-01',
    '1e16',
    '',
    'now',
  ),
);

describe.each(MODES)('S9 sample-time abuse (%s mode)', (mode) => {
  let api: SecApi;
  let key: string;
  beforeAll(async () => {
    api = await startSecApi(mode, { now: () => NOW });
    ({ key } = await api.createKey('probe-gh-accra-01'));
  });
  afterAll(async () => api?.close());

  const push = (payload: unknown) =>
    api.app.inject({
      method: 'POST',
      url: '/api/push',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      payload: JSON.stringify(payload),
    });

  it(`rejects and counts ${COUNT} out-of-policy timestamps, queues none`, async () => {
    const values = fc.sample(badTimestamp, { seed: SEED, numRuns: COUNT });
    const before = await api.state();
    const countedBefore = await rejectedTotal(api.app);
    const statuses: number[] = [];
    const codes: string[] = [];
    const bad: string[] = [];
    let requests = 0;
    const half = COUNT / 2;
    for (let i = 0; i < half; i++) {
      const res = await push(blueprintSample({ timestamp: values[i] }));
      requests++;
      statuses.push(res.statusCode);
      codes.push(res.json().code);
      if (!isProblem4xx(res)) bad.push(`${JSON.stringify(values[i])}: ${res.statusCode}`);
    }
    for (let i = half; i < COUNT; i += 100) {
      const samples = values.slice(i, i + 100).map((timestamp) => blueprintSample({ timestamp }));
      const res = await push({ samples });
      requests++;
      statuses.push(res.statusCode);
      const body = res.json();
      if (!isProblem4xx(res) || body.rejected?.length !== samples.length)
        bad.push(`batch ${i}: ${res.statusCode}`);
      for (const r of body.rejected ?? []) codes.push(r.code);
    }
    const after = await api.state();
    const counted = (await rejectedTotal(api.app)) - countedBefore;
    printFigures('S9', {
      mode,
      seed: SEED,
      samples: COUNT,
      requests,
      statuses: tally(statuses),
      reasons: Object.fromEntries(
        Object.entries(
          codes.reduce<Record<string, number>>((acc, c) => {
            acc[c] = (acc[c] ?? 0) + 1;
            return acc;
          }, {}),
        ),
      ),
      counted_in_metric: counted,
      state_before: before,
      state_after: after,
      unexpected: bad.slice(0, 5),
    });
    expect(bad).toEqual([]);
    expect(codes).toHaveLength(COUNT);
    expect(counted).toBe(COUNT);
    expect(after).toEqual(before);
  }, 180_000);

  it('keeps the exact edges: now + 5 min and now − 7 d in, one millisecond past either out', async () => {
    const before = await api.state();
    const edge = async (ts: number | string) => (await push(blueprintSample({ timestamp: ts }))).statusCode;
    const results = {
      future_edge: await edge(NOW + SKEW),
      future_edge_plus_1ms: await edge(NOW + SKEW + 1),
      backfill_edge: await edge(NOW - BACKFILL),
      backfill_edge_minus_1ms: await edge(NOW - BACKFILL - 1),
      future_edge_iso: await edge(new Date(NOW + SKEW).toISOString()),
      future_edge_plus_1ms_iso: await edge(new Date(NOW + SKEW + 1).toISOString()),
    };
    const after = await api.state();
    printFigures('S9', { mode, part: 'edges', ...results, queued_delta: after.queued - before.queued });
    expect(results).toEqual({
      future_edge: 202,
      future_edge_plus_1ms: 422,
      backfill_edge: 202,
      backfill_edge_minus_1ms: 422,
      future_edge_iso: 202,
      future_edge_plus_1ms_iso: 422,
    });
    expect(after.queued - before.queued).toBe(3);
  });
});
