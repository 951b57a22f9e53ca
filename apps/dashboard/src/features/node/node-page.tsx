import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useEvents, useMetrics, useNodeDetail } from '../../api/hooks.tsx';
import { RangePicker } from '../../components/range-picker.tsx';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { autoAggregation, parseAggregation, parseRange, withParams } from '../../lib/filters.ts';
import { fmtAgo, fmtMs, fmtPct } from '../../lib/format.ts';
import { byTarget } from '../../lib/series.ts';
import { EventList } from '../overview/event-list.tsx';
import { DistributionChart, LossChart } from './distribution-chart.tsx';
import { HttpPhases } from './http-phases.tsx';
import { TargetTable } from './target-table.tsx';

export function NodePage() {
  const nodeId = useParams().nodeId ?? '';
  const [params, setParams] = useSearchParams();
  const range = parseRange(params.get('range'));
  const aggParam = parseAggregation(params.get('agg'));
  const agg = aggParam === 'auto' ? autoAggregation(range) : aggParam;
  const target = params.get('target') ?? '';
  // The latency charts are the page's main content: asked for first and drawn as soon as they
  // arrive; the header, statistics and HTTP phases fill in when the node's detail answers.
  const metrics = useMetrics(nodeId, range, agg);
  const detail = useNodeDetail(nodeId, range);
  const events = useEvents({ node_id: nodeId, limit: 20 });
  const series = useMemo(() => byTarget(metrics.data?.data ?? []), [metrics.data]);
  const set = (changes: Record<string, string>) => setParams(withParams(params, changes), { replace: true });

  if (detail.isError && !detail.data)
    return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const node = detail.data?.node;
  const shown = target ? series.filter((s) => s.key === target) : series;

  return (
    <section className="page" aria-labelledby="node-title">
      <p className="crumbs">
        <Link to="/">Overview</Link> / node
      </p>
      <div className="page-head">
        <h1 id="node-title" data-testid="node-title">
          {nodeId} {node ? <StatusBadge status={node.status} /> : null}
        </h1>
        <div className="filters">
          <RangePicker value={range} onChange={(r) => set({ range: r })} />
          <label>
            Resolution
            <select
              value={aggParam}
              onChange={(e) => set({ agg: e.target.value === 'auto' ? '' : e.target.value })}
              data-testid="agg"
            >
              <option value="auto">Auto ({autoAggregation(range)})</option>
              <option value="raw">Raw</option>
              <option value="hourly">Hourly</option>
              <option value="daily">Daily</option>
            </select>
          </label>
          <label>
            Target
            <select value={target} onChange={(e) => set({ target: e.target.value })}>
              <option value="">All</option>
              {series.map((s) => (
                <option key={s.key} value={s.key}>
                  {s.key}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {node ? null : <Loading what={`node ${nodeId}`} />}
      {node ? (
        <dl className="stats">
          <div>
            <dt>Where</dt>
            <dd>
              {node.country} · {node.region}
            </dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>
              <time dateTime={node.last_seen_at}>{fmtAgo(node.last_seen_at, Date.now())}</time>
            </dd>
          </div>
          <div>
            <dt>Latency now</dt>
            <dd>{fmtMs(node.current.latency_ms)}</dd>
          </div>
          <div>
            <dt>p95 (24 h)</dt>
            <dd>{fmtMs(node.window.latency_p95_ms)}</dd>
          </div>
          <div>
            <dt>Uptime (24 h)</dt>
            <dd>{fmtPct(node.window.uptime_pct, 3)}</dd>
          </div>
          <div>
            <dt>Loss (24 h)</dt>
            <dd>{fmtPct(node.window.packet_loss)}</dd>
          </div>
        </dl>
      ) : null}
      {metrics.isError && !metrics.data ? (
        <ErrorState error={metrics.error} onRetry={() => void metrics.refetch()} />
      ) : null}
      {metrics.isPending ? <Loading what="latency" /> : null}
      {metrics.data && shown.length === 0 ? <Empty>No samples in this range.</Empty> : null}
      {shown.map((s) => (
        <section className="card" key={s.key} aria-label={`Latency of ${s.key}`}>
          <h2>
            Latency · <span className="mono">{s.key}</span>
          </h2>
          {metrics.data?.bucket_seconds ? (
            <p className="muted" data-testid="bucket-note">
              {s.samples.toLocaleString()} raw samples, drawn as min–avg–max per{' '}
              {metrics.data.bucket_seconds / 60} min
            </p>
          ) : null}
          <DistributionChart series={s} />
          <LossChart series={s} />
        </section>
      ))}
      <div className="grid-2">
        <section className="card">
          <h2>Per target ({range})</h2>
          {detail.data ? <TargetTable targets={detail.data.targets} /> : <Loading what="targets" />}
        </section>
        <section className="card">
          <h2>HTTP phase timings</h2>
          {detail.data?.http_bucket_seconds ? (
            <p className="muted" data-testid="phase-bucket-note">
              Averaged per {detail.data.http_bucket_seconds / 60} min
            </p>
          ) : null}
          {detail.data ? <HttpPhases points={detail.data.http} /> : <Loading what="HTTP phases" />}
        </section>
      </div>
      <section className="card">
        <h2>Events</h2>
        <EventList events={events.data?.events} />
      </section>
    </section>
  );
}
