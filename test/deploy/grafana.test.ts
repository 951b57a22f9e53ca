import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  allPanels,
  checkGrafana,
  loadDashboards,
  provisionedDatasources,
} from '../../deploy/validate/grafana.ts';
import { DEPLOY } from '../../deploy/validate/paths.ts';

const dashboards = loadDashboards();
const titles = (file: string) => allPanels(dashboards.get(file) ?? {}).map((p) => p.title ?? '');
const exprs = (file: string) =>
  allPanels(dashboards.get(file) ?? {})
    .flatMap((p) => p.targets ?? [])
    .map((t) => t.expr ?? t.rawSql ?? '')
    .join('\n');

describe('Grafana provisioning', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fiberstack-grafana-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('provisions Prometheus and PostgreSQL, and every dashboard passes the checks', () => {
    expect([...provisionedDatasources().entries()]).toEqual([
      ['fiberstack-prometheus', 'prometheus'],
      ['fiberstack-postgres', 'grafana-postgresql-datasource'],
    ]);
    expect([...dashboards.keys()]).toEqual(['fleet.json', 'pipeline.json', 'service-overview.json']);
    expect(checkGrafana().problems).toEqual([]);
  });

  it('service overview: requests/s by status, latency p50/p95, CPU, memory', () => {
    expect(exprs('service-overview.json')).toContain('sum by (status) (rate(http_requests_total');
    expect(exprs('service-overview.json')).toMatch(
      /histogram_quantile\(0\.50,[\s\S]*histogram_quantile\(0\.95,/,
    );
    expect(exprs('service-overview.json')).toContain('process_cpu_seconds_total');
    expect(exprs('service-overview.json')).toContain('process_resident_memory_bytes');
  });

  it('pipeline: queue depth, pending, lag, batch duration, dead letters', () => {
    const all = exprs('pipeline.json');
    for (const m of [
      'fiberstack_queue_depth',
      'fiberstack_queue_pending',
      'fiberstack_ingest_lag_seconds_bucket',
      'fiberstack_etl_batch_duration_seconds_bucket',
      'fiberstack_dead_letter_total',
    ])
      expect(all, m).toContain(m);
  });

  it('fleet: latency, loss and uptime per country from PostgreSQL', () => {
    expect(titles('fleet.json')).toEqual(
      expect.arrayContaining([
        'Latency by country (hourly average)',
        'Packet loss by country',
        'Uptime by country',
      ]),
    );
    expect(exprs('fleet.json')).toContain('n.country IN ($country)');
  });

  it('reports a panel whose data source is not provisioned, and a metric nobody exports', () => {
    const dir = join(scratch, 'dashboards');
    rmSync(dir, { recursive: true, force: true });
    const bad = {
      uid: 'broken',
      title: 'Broken',
      panels: [
        {
          id: 1,
          title: 'a',
          type: 'timeseries',
          gridPos: { x: 0, y: 0, w: 12, h: 8 },
          datasource: { uid: 'nope' },
          targets: [{ refId: 'A', expr: 'up' }],
        },
        {
          id: 2,
          title: 'b',
          type: 'timeseries',
          gridPos: { x: 12, y: 0, w: 12, h: 8 },
          datasource: { uid: 'fiberstack-prometheus' },
          targets: [{ refId: 'A', expr: 'fiberstack_made_up_total' }],
        },
      ],
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(bad));
    const problems = checkGrafana(dir, join(DEPLOY, 'grafana', 'provisioning', 'datasources')).problems.join(
      '\n',
    );
    expect(problems).toMatch(/data source nope is not provisioned/);
    expect(problems).toMatch(/fiberstack_made_up_total/);
  });
});
