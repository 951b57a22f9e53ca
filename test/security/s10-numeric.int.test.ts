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
 * S10: 10 000 out-of-range or mistyped numbers written as raw JSON text (so 1e309 reaches the
 * API as Infinity): negative latency, latency past the 60 s API limit, ±Infinity, numbers as
 * strings, "NaN", loss and uptime outside 0–100, booleans and null, and the optional numeric
 * fields out of their ranges. All rejected (400/422) and counted, none queued, no 5xx.
 */
const SEED = 10_010;
const COUNT = 10_000;

const fields = {
  latency_ms: { min: 0, max: 60_000, int: false },
  uptime_pct: { min: 0, max: 100, int: false },
  packet_loss: { min: 0, max: 100, int: false },
  jitter_ms: { min: 0, max: 60_000, int: false },
  latency_max_ms: { min: 0, max: 60_000, int: false },
  http_status: { min: 100, max: 599, int: true },
  tls_days_left: { min: -36_500, max: 36_500, int: true },
  seq: { min: 0, max: Number.MAX_SAFE_INTEGER, int: true },
  clock_synced_age_s: { min: -1, max: 31_536_000, int: true },
} as const;
type Field = keyof typeof fields;

/** A raw JSON token that is not a valid value for the field. */
const badToken = (field: Field): fc.Arbitrary<string> => {
  const { min, max, int } = fields[field];
  const out: fc.Arbitrary<string>[] = [
    fc
      .double({ max: min, maxExcluded: true, noNaN: true, noDefaultInfinity: true })
      .filter((v) => v < min)
      .map(String),
    fc.double({ min: max, minExcluded: true, noNaN: true, noDefaultInfinity: true }).map(String),
    fc.constantFrom('1e309', '-1e309', '"NaN"', '"Infinity"', 'true', 'false', 'null', '[]', '{}', '"1"'),
    fc.double({ min, max, noNaN: true }).map((v) => JSON.stringify(String(v))),
  ];
  if (int)
    out.push(
      fc
        .double({ min, max, noNaN: true })
        .filter((v) => !Number.isInteger(v))
        .map(String),
    );
  return fc.oneof(...out);
};

const badValue = fc
  .constantFrom(...(Object.keys(fields) as Field[]))
  .chain((field) => badToken(field).map((token) => ({ field, token })));

/** The blueprint sample as text with one field set to a raw token. */
function bodyWith(field: Field, token: string): string {
  const text = JSON.stringify(blueprintSample());
  return `${text.slice(0, -1)},"__F__":0}`
    .replace(/"(latency_ms|uptime_pct|packet_loss)":[^,]+,/g, (m, name) =>
      name === field ? `"${field}":${token},` : m,
    )
    .replace(
      ',"__F__":0',
      field in { latency_ms: 1, uptime_pct: 1, packet_loss: 1 } ? '' : `,"${field}":${token}`,
    );
}

describe.each(MODES)('S10 numeric abuse (%s mode)', (mode) => {
  let api: SecApi;
  let key: string;
  beforeAll(async () => {
    api = await startSecApi(mode);
    ({ key } = await api.createKey('probe-gh-accra-01'));
  });
  afterAll(async () => api?.close());

  const push = (payload: string) =>
    api.app.inject({
      method: 'POST',
      url: '/api/push',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      payload,
    });

  it(`rejects and counts ${COUNT} bad numbers, queues none, never 5xx`, async () => {
    const values = fc.sample(badValue, { seed: SEED, numRuns: COUNT });
    const before = await api.state();
    const countedBefore = await rejectedTotal(api.app);
    const statuses: number[] = [];
    const byField: Record<string, number> = {};
    const bad: string[] = [];
    const half = COUNT / 2;
    let rejected = 0;
    for (let i = 0; i < half; i++) {
      const { field, token } = values[i] as { field: Field; token: string };
      byField[field] = (byField[field] ?? 0) + 1;
      const res = await push(bodyWith(field, token));
      statuses.push(res.statusCode);
      if (isProblem4xx(res)) rejected++;
      else bad.push(`${field}=${token}: ${res.statusCode}`);
    }
    for (let i = half; i < COUNT; i += 100) {
      const chunk = values.slice(i, i + 100) as { field: Field; token: string }[];
      for (const { field } of chunk) byField[field] = (byField[field] ?? 0) + 1;
      const res = await push(
        `{"samples":[${chunk.map(({ field, token }) => bodyWith(field, token)).join(',')}]}`,
      );
      statuses.push(res.statusCode);
      const n = res.json().rejected?.length ?? 0;
      rejected += n;
      if (!isProblem4xx(res) || n !== chunk.length) bad.push(`batch ${i}: ${res.statusCode} ${n}`);
    }
    const after = await api.state();
    const counted = (await rejectedTotal(api.app)) - countedBefore;
    printFigures('S10', {
      mode,
      seed: SEED,
      values: COUNT,
      requests: statuses.length,
      statuses: tally(statuses),
      five_xx: statuses.filter((s) => s >= 500).length,
      by_field: byField,
      rejected,
      counted_in_metric: counted,
      state_before: before,
      state_after: after,
      unexpected: bad.slice(0, 5),
    });
    expect(bad).toEqual([]);
    expect(rejected).toBe(COUNT);
    expect(counted).toBe(COUNT);
    expect(after).toEqual(before);

    // Control: the generator's body builder yields accepted samples for valid tokens.
    const ok = await push(bodyWith('latency_ms', '12.5'));
    expect(ok.statusCode).toBe(202);
    expect((await push(bodyWith('http_status', '204'))).statusCode).toBe(202);
    expect((await api.state()).queued).toBe(before.queued + 2);
  }, 180_000);
});
