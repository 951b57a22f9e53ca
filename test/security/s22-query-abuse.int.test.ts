import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProblem4xx, MODES, percentile, printFigures, type SecApi, startSecApi, tally } from './support.ts';

/**
 * S22: query abuse on every read route with parameters (/api/metrics, /api/fleet/:node_id,
 * /api/regions, /api/events): limit=1e9 and other impossible limits, 10-year and reversed ranges,
 * 1 000 series in one query (repeated node_id/target), oversized and malformed parameters, and
 * hostile path parameters. All 400 (or 404 for a well-formed unknown node) problem+json; the
 * database pool the API queries with carries statement_timeout; other users' requests keep
 * answering 200 meanwhile (their p99 is printed).
 */
const NODE = 'probe-gh-accra-01';
const TEN_YEARS = { start: '2016-01-01T00:00:00Z', end: '2026-01-01T00:00:00Z' };

function abusive(): { url: string; expect: number }[] {
  const many = (name: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${name}=probe-${i}`).join('&');
  const limits = [
    '1e9',
    '1000000000',
    '-1',
    '0',
    '1.5',
    'NaN',
    'Infinity',
    '99999999999999999999',
    '0x10',
    '20001',
    '',
  ];
  const ranges = [
    `start=${TEN_YEARS.start}&end=${TEN_YEARS.end}`,
    'start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z',
    'start=0000-01-01T00:00:00Z&end=9999-12-31T23:59:59Z',
    'start=yesterday',
    'end=1e16',
    `start=${'9'.repeat(5000)}`,
  ];
  const out: { url: string; expect: number }[] = [];
  for (const l of limits) {
    out.push({ url: `/api/metrics?node_id=${NODE}&limit=${l}`, expect: 400 });
    out.push({ url: `/api/events?limit=${l}`, expect: 400 });
  }
  for (const r of ranges) {
    out.push({ url: `/api/metrics?node_id=${NODE}&${r}`, expect: 400 });
    out.push({ url: `/api/metrics?node_id=${NODE}&aggregation=raw&${r}`, expect: 400 });
    out.push({ url: `/api/fleet/${NODE}?${r}`, expect: 400 });
    out.push({ url: `/api/regions?${r}`, expect: 400 });
    out.push({ url: `/api/regions?series=true&aggregation=hourly&${r}`, expect: 400 });
  }
  out.push({ url: `/api/metrics?${many('node_id', 1000)}`, expect: 400 });
  out.push({ url: `/api/metrics?node_id=${NODE}&${many('target', 1000)}`, expect: 400 });
  out.push({ url: `/api/metrics?node_id=${NODE}&${many('check', 1000)}`, expect: 400 });
  out.push({ url: `/api/events?${many('node_id', 1000)}`, expect: 400 });
  out.push({ url: `/api/events?${many('kind', 1000)}`, expect: 400 });
  out.push({ url: `/api/regions?${many('aggregation', 1000)}`, expect: 400 });
  out.push({ url: `/api/metrics?node_id=${NODE}&target=${'a'.repeat(3000)}`, expect: 400 });
  out.push({ url: `/api/events?q=${'a'.repeat(201)}`, expect: 400 });
  out.push({ url: `/api/events?kind=${encodeURIComponent("x' OR 1=1")}`, expect: 400 });
  out.push({ url: '/api/metrics?node_id=', expect: 400 });
  out.push({ url: '/api/metrics', expect: 400 });
  out.push({ url: `/api/metrics?node_id=${NODE}&aggregation=minutely`, expect: 400 });
  out.push({ url: `/api/metrics?node_id=${NODE}&unknown=1`, expect: 400 });
  out.push({ url: `/api/metrics?node_id[$ne]=x`, expect: 400 });
  out.push({ url: `/api/metrics?node_id=${NODE}&limit[]=5`, expect: 400 });
  for (const p of [
    encodeURIComponent("x' OR '1'='1"),
    'a'.repeat(65),
    '%00',
    '..%2f..%2fetc',
    encodeURIComponent('<script>'),
    '-leading-dash',
  ])
    out.push({ url: `/api/fleet/${p}`, expect: 400 });
  out.push({ url: '/api/fleet/probe-unknown-01', expect: 404 });
  return out;
}

describe.each(MODES)('S22 query abuse (%s mode)', (mode) => {
  let api: SecApi;
  beforeAll(async () => {
    api = await startSecApi(mode);
  });
  afterAll(async () => api?.close());

  const timed = async (url: string) => {
    const t0 = performance.now();
    const res = await api.app.inject({ url });
    return { res, ms: performance.now() - t0 };
  };

  it('answers abusive queries 400/404, keeps statement_timeout, serves other users', async () => {
    const cases = abusive();
    const ROUNDS = 5;
    const innocent = [
      '/api/fleet',
      '/api/nodes',
      `/api/metrics?node_id=${NODE}`,
      '/api/regions',
      '/api/events',
    ];
    for (let i = 0; i < 50; i++) await timed(innocent[i % innocent.length] ?? '/api/fleet');
    const baseline: number[] = [];
    for (let i = 0; i < 200; i++)
      baseline.push((await timed(innocent[i % innocent.length] ?? '/api/fleet')).ms);
    const before = await api.state();
    const statuses: number[] = [];
    const bad: string[] = [];
    const during: number[] = [];
    const innocentStatuses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, c] of cases.entries()) {
        const [abuse, other] = await Promise.all([
          timed(c.url),
          timed(innocent[i % innocent.length] ?? '/api/fleet'),
        ]);
        statuses.push(abuse.res.statusCode);
        if (abuse.res.statusCode !== c.expect || !isProblem4xx(abuse.res))
          bad.push(`${c.url.slice(0, 100)} → ${abuse.res.statusCode}`);
        during.push(other.ms);
        innocentStatuses.push(other.res.statusCode);
      }
    }
    const after = await api.state();
    const timeout = await api.db.query<{ statement_timeout: string }>('SHOW statement_timeout');
    // The heaviest query the API allows: the 400-day maximum at the maximum limit.
    const widest = await api.app.inject({
      url: `/api/metrics?node_id=${NODE}&aggregation=raw&limit=20000&start=2025-01-01T00:00:00Z&end=2026-02-04T00:00:00Z`,
    });
    printFigures('S22', {
      mode,
      distinct_cases: cases.length,
      requests: statuses.length,
      statuses: tally(statuses),
      other_users_requests: innocentStatuses.length,
      other_users_statuses: tally(innocentStatuses),
      other_users_p99_ms_idle: percentile(baseline, 99),
      other_users_p99_ms_under_abuse: percentile(during, 99),
      statement_timeout: timeout.rows[0]?.statement_timeout,
      widest_allowed_query: widest.statusCode,
      state_before: before,
      state_after: after,
      unexpected: bad.slice(0, 5),
    });
    expect(bad).toEqual([]);
    expect(innocentStatuses.every((s) => s === 200)).toBe(true);
    expect(timeout.rows[0]?.statement_timeout).toBe('15s');
    expect(widest.statusCode).toBe(200);
    expect(widest.json().data.length).toBeLessThanOrEqual(20_000);
    expect(after).toEqual(before);
  }, 120_000);
});
