import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blueprintSample,
  countIn,
  isProblem4xx,
  MODES,
  printFigures,
  type SecApi,
  startSecApi,
  tally,
} from './support.ts';

/**
 * S3: 20 content types × 50 pushes of an otherwise valid sample. Only application/json (UTF-8)
 * is parsed: every other type answers 415 (or 400), nothing is queued.
 */
const TYPES: (string | undefined)[] = [
  undefined,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fs',
  'application/xml',
  'text/xml',
  'text/html',
  'application/octet-stream',
  'application/javascript',
  'application/x-yaml',
  'text/csv',
  'application/x-ndjson',
  'application/json-patch+json',
  'application/vnd.api+json',
  'application/jsonx',
  'json',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
];
const PER_TYPE = 50;

describe.each(MODES)('S3 content types (%s mode)', (mode) => {
  let api: SecApi;
  let key: string;
  beforeAll(async () => {
    api = await startSecApi(mode);
    ({ key } = await api.createKey('probe-gh-accra-01'));
  });
  afterAll(async () => api?.close());

  it(`answers ${TYPES.length} content types × ${PER_TYPE} pushes 415/400 and queues nothing`, async () => {
    expect(TYPES).toHaveLength(20);
    const before = await api.state();
    const t0 = performance.now();
    const statuses: number[] = [];
    const byType: Record<string, Record<string, number>> = {};
    const bad: string[] = [];
    for (const type of TYPES) {
      for (let i = 0; i < PER_TYPE; i++) {
        const res = await api.app.inject({
          method: 'POST',
          url: '/api/push',
          headers: {
            authorization: `Bearer ${key}`,
            ...(type === undefined ? {} : { 'content-type': type }),
          },
          payload: JSON.stringify(blueprintSample()),
        });
        statuses.push(res.statusCode);
        const name = type ?? '(missing)';
        countIn(byType, name, res.statusCode);
        if (![400, 415].includes(res.statusCode) || !isProblem4xx(res))
          bad.push(`${name}: ${res.statusCode}`);
      }
    }
    const after = await api.state();
    printFigures('S3', {
      mode,
      requests: statuses.length,
      statuses: tally(statuses),
      by_type: byType,
      ms: Math.round(performance.now() - t0),
      state_before: before,
      state_after: after,
      unexpected: [...new Set(bad)].slice(0, 10),
    });
    expect(bad).toEqual([]);
    expect(after).toEqual(before);

    // Control: the same body as application/json is queued.
    const ok = await api.app.inject({
      method: 'POST',
      url: '/api/push',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify(blueprintSample()),
    });
    expect(ok.statusCode).toBe(202);
    expect((await api.state()).queued).toBe(before.queued + 1);
  });
});
