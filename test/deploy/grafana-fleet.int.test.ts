import { loadSamples, refreshRollups, type SampleRow } from '@fiberstack/db';
import { createTestDatabase, sampleRow, type TestDatabase } from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allPanels, loadDashboards } from '../../deploy/validate/grafana.ts';

/** Grafana's macros and the $country variable, expanded the way Grafana does for PostgreSQL. */
function expand(sql: string): string {
  return sql
    .replace(/\$__timeGroupAlias\(([^,]+),\s*'1h'\)/g, `date_trunc('hour', $1) AS "time"`)
    .replace(/\$__timeFilter\(([^)]+)\)/g, `$1 BETWEEN now() - interval '7 days' AND now()`)
    .replace(/\$country/g, `'KE','NG'`);
}

describe('fleet dashboard SQL on the real schema', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase();
    const now = Date.now();
    const rows: SampleRow[] = [];
    for (const [node, country] of [
      ['probe-ke-nairobi-01', 'KE'],
      ['probe-ng-lagos-01', 'NG'],
    ] as const)
      for (let i = 1; i <= 24; i++) {
        const time = new Date(now - i * 15 * 60_000);
        rows.push(
          sampleRow({
            node_id: node,
            target: '1.1.1.1',
            time,
            country,
            region: country,
            latency_ms: 30 + i,
            packet_loss: i % 4,
          }),
        );
      }
    await loadSamples(test.db, rows);
    await refreshRollups(test.db);
  });

  afterAll(async () => {
    await test?.drop();
  });

  it('every SQL panel and variable runs and the per-country series have data', async () => {
    const fleet = loadDashboards().get('fleet.json');
    const queries = allPanels(fleet ?? {}).flatMap((p) =>
      (p.targets ?? []).filter((t) => t.rawSql).map((t) => [p.title ?? '', t.rawSql as string] as const),
    );
    expect(queries.length).toBeGreaterThanOrEqual(8);
    for (const [title, sql] of queries) {
      const { rows } = await test.db.query(expand(sql));
      expect(rows.length, title).toBeGreaterThan(0);
    }
    const latency = queries.find(([t]) => t.startsWith('Latency by country'))?.[1] ?? '';
    const { rows } = await test.db.query<{ metric: string }>(expand(latency));
    expect(new Set(rows.map((r) => r.metric))).toEqual(new Set(['KE', 'NG']));
  });
});
