import type { GroupKind, GroupStats } from '@fiberstack/contracts';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useFleet, useManyMetrics, useRegions } from '../../api/hooks.tsx';
import { Chart, PALETTE } from '../../components/chart.tsx';
import { RangePicker } from '../../components/range-picker.tsx';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';
import { parseList, parseRange, RANGES, withParams } from '../../lib/filters.ts';
import { align, type Metric } from '../../lib/series.ts';
import { SlaTable } from './sla-table.tsx';

const METRICS: Record<Metric, string> = {
  latency: 'Average latency (ms)',
  p95: 'p95 latency (ms)',
  loss: 'Packet loss (%)',
  uptime: 'Uptime (%)',
};

export function AnalyticsPage() {
  const [params, setParams] = useSearchParams();
  const range = parseRange(params.get('range'), '7d');
  const group = (['node', 'country', 'region'] as const).find((g) => g === params.get('group')) ?? 'country';
  const metric = (Object.keys(METRICS) as Metric[]).find((m) => m === params.get('metric')) ?? 'latency';
  const agg = params.get('agg') === 'daily' || RANGES[range] > RANGES['30d'] ? 'daily' : 'hourly';
  const sla = Number(params.get('sla') ?? '99.5');
  const picked = parseList(params.get('keys'));
  const set = (c: Record<string, string | null>) => setParams(withParams(params, c), { replace: true });

  const fleet = useFleet();
  const regions = useRegions(range, agg, group !== 'node');
  const stats: GroupStats[] = regions.data
    ? regions.data[group === 'node' ? 'nodes' : group === 'country' ? 'countries' : 'regions']
    : [];
  const options = stats.map((s) => s.key);
  const keys = picked.length
    ? picked.filter((k) => options.includes(k) || group === 'node')
    : options.slice(0, 5);
  const nodeMetrics = useManyMetrics(group === 'node' ? keys : [], range, agg);

  const series = useMemo(() => {
    if (group === 'node') return keys.map((k, i) => ({ key: k, points: nodeMetrics[i]?.data?.data ?? [] }));
    const all = regions.data?.series ?? [];
    return keys.map((k) => ({
      key: k,
      points: all.find((s) => s.group === group && s.key === k)?.points ?? [],
    }));
  }, [group, keys, nodeMetrics, regions.data]);
  const data = useMemo(() => align(series, metric), [series, metric]);

  const toggle = (k: string) => {
    const next = keys.includes(k) ? keys.filter((x) => x !== k) : [...keys, k];
    set({ keys: next.join(',') || null });
  };

  return (
    <section className="page" aria-labelledby="analytics-title">
      <div className="page-head">
        <h1 id="analytics-title">Analytics</h1>
        <div className="filters">
          <RangePicker value={range} onChange={(r) => set({ range: r })} />
          <label>
            Compare
            <select
              value={group}
              onChange={(e) => set({ group: e.target.value as GroupKind, keys: null })}
              data-testid="group"
            >
              <option value="country">Countries</option>
              <option value="region">Regions</option>
              <option value="node">Nodes</option>
            </select>
          </label>
          <label>
            Metric
            <select value={metric} onChange={(e) => set({ metric: e.target.value })} data-testid="metric">
              {Object.entries(METRICS).map(([m, label]) => (
                <option key={m} value={m}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Rollup
            <select value={agg} onChange={(e) => set({ agg: e.target.value })}>
              <option value="hourly">Hourly</option>
              <option value="daily">Daily</option>
            </select>
          </label>
        </div>
      </div>
      {regions.isPending || fleet.isPending ? <Loading what="aggregates" /> : null}
      {regions.isError && !regions.data ? (
        <ErrorState error={regions.error} onRetry={() => void regions.refetch()} />
      ) : null}
      {regions.data && options.length === 0 ? <Empty>No rolled-up data in this range.</Empty> : null}
      {options.length > 0 ? (
        <>
          <fieldset className="chips">
            <legend>Series to compare</legend>
            {options.map((k) => (
              <label key={k} className={keys.includes(k) ? 'chip on' : 'chip'}>
                <input type="checkbox" checked={keys.includes(k)} onChange={() => toggle(k)} /> {k}
              </label>
            ))}
          </fieldset>
          <section className="card">
            <h2>{METRICS[metric]}</h2>
            <Chart
              data={data}
              series={keys.map((k, i) => ({
                label: k,
                stroke: PALETTE[i % PALETTE.length]!,
                width: 1.5,
                spanGaps: false,
              }))}
              yLabel={metric === 'loss' || metric === 'uptime' ? '%' : 'ms'}
              label={`${METRICS[metric]} by ${group}`}
              testId="compare-chart"
            />
          </section>
          <section className="card">
            <SlaTable
              stats={stats}
              group={group}
              sla={sla}
              onSla={(v) => set({ sla: String(v) })}
              range={range}
            />
          </section>
        </>
      ) : null}
    </section>
  );
}
