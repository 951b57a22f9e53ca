import type { FleetNode, NodeStatus } from '@fiberstack/contracts';
import { Link, useSearchParams } from 'react-router';
import { useEvents, useFleet } from '../../api/hooks.tsx';
import { Sparkline } from '../../components/sparkline.tsx';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { withParams } from '../../lib/filters.ts';
import { filterFleet, STATUS_LABEL, STATUS_ORDER, tiles, worstFirst } from '../../lib/fleet.ts';
import { fmtAgo, fmtMs, fmtPct } from '../../lib/format.ts';
import { EventList } from './event-list.tsx';

function Counts({
  counts,
  active,
  onPick,
}: {
  counts: Record<NodeStatus, number>;
  active: string;
  onPick: (s: string) => void;
}) {
  return (
    <div className="counts" data-testid="status-counts">
      {STATUS_ORDER.map((s) => (
        <button
          type="button"
          key={s}
          className={`count count-${s}${active === s ? ' on' : ''}`}
          aria-pressed={active === s}
          onClick={() => onPick(active === s ? '' : s)}
          data-testid={`count-${s}`}
        >
          <span className="count-n">{counts[s]}</span>
          <span className="count-label">{STATUS_LABEL[s]}</span>
        </button>
      ))}
    </div>
  );
}

function NodeTable({ nodes, now }: { nodes: FleetNode[]; now: number }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="worst-links">
        <caption className="sr-only">Links, worst first</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Status</th>
            <th scope="col">Where</th>
            <th scope="col" className="num">
              Latency
            </th>
            <th scope="col" className="num">
              p95 24 h
            </th>
            <th scope="col" className="num">
              Loss
            </th>
            <th scope="col" className="num">
              Uptime 24 h
            </th>
            <th scope="col">24 h</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.node_id} data-node={n.node_id}>
              <th scope="row">
                <Link to={`/nodes/${encodeURIComponent(n.node_id)}`}>{n.node_id}</Link>
              </th>
              <td>
                <StatusBadge status={n.status} />
              </td>
              <td>
                {n.country} · {n.region}
              </td>
              <td className="num" data-testid="cur-latency">
                {fmtMs(n.current.latency_ms)}
              </td>
              <td className="num">{fmtMs(n.window.latency_p95_ms)}</td>
              <td className="num">{fmtPct(n.current.packet_loss, 1)}</td>
              <td className="num">{fmtPct(n.window.uptime_pct)}</td>
              <td className={`spark-cell s-${n.status}`}>
                <Sparkline values={n.spark} label={`24 hour latency trend of ${n.node_id}`} />
              </td>
              <td>
                <time dateTime={n.last_seen_at}>{fmtAgo(n.last_seen_at, now)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function OverviewPage() {
  const [params, setParams] = useSearchParams();
  const fleet = useFleet();
  const events = useEvents({ limit: 12 });
  const filter = {
    country: params.get('country') ?? '',
    region: params.get('region') ?? '',
    status: params.get('status') ?? '',
    q: params.get('q') ?? '',
  };
  const set = (changes: Record<string, string>) => setParams(withParams(params, changes), { replace: true });

  if (fleet.isPending) return <Loading what="the fleet" />;
  if (fleet.isError && !fleet.data)
    return <ErrorState error={fleet.error} onRetry={() => void fleet.refetch()} />;
  const data = fleet.data!;
  const now = Date.parse(data.generated_at);
  if (data.nodes.length === 0)
    return (
      <section className="page">
        <h1>Overview</h1>
        <Empty>
          No probe has reported yet. Create a key on the <Link to="/admin">Admin</Link> page and start a
          probe.
        </Empty>
      </section>
    );

  const countries = [...new Set(data.nodes.map((n) => n.country))].sort();
  const regions = [
    ...new Set(
      data.nodes.filter((n) => !filter.country || n.country === filter.country).map((n) => n.region),
    ),
  ].sort();
  const shown = worstFirst(filterFleet(data.nodes, filter));

  return (
    <section className="page" aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Fleet overview</h1>
        <search className="filters">
          <label>
            Country
            <select
              value={filter.country}
              onChange={(e) => set({ country: e.target.value, region: '' })}
              data-testid="filter-country"
            >
              <option value="">All</option>
              {countries.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            Region
            <select
              value={filter.region}
              onChange={(e) => set({ region: e.target.value })}
              data-testid="filter-region"
            >
              <option value="">All</option>
              {regions.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            Node
            <input
              type="search"
              value={filter.q}
              placeholder="node id"
              onChange={(e) => set({ q: e.target.value })}
            />
          </label>
        </search>
      </div>
      <Counts counts={data.counts} active={filter.status} onPick={(s) => set({ status: s })} />
      {/* The links table takes the full width: its nine columns need about 1,050 px. */}
      <section className="card" aria-labelledby="links-title">
        <h2 id="links-title">
          Links, worst first{' '}
          {shown.length !== data.nodes.length ? `(${shown.length} of ${data.nodes.length})` : ''}
        </h2>
        {shown.length ? <NodeTable nodes={shown} now={now} /> : <Empty>No node matches these filters.</Empty>}
      </section>
      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">Recent events</h2>
        {events.isError && !events.data ? (
          <ErrorState error={events.error} />
        ) : (
          <EventList events={events.data?.events} />
        )}
      </section>
      {(['country', 'region'] as const).map((by) => (
        <section className="card" key={by} aria-labelledby={`tiles-${by}`}>
          <h2 id={`tiles-${by}`}>{by === 'country' ? 'Countries' : 'Regions'}</h2>
          <ul className="tiles" data-testid={`tiles-${by}`}>
            {tiles(filterFleet(data.nodes, { country: filter.country }), by).map((t) => (
              <li key={t.key} className={`tile tile-${t.worst}`}>
                <button
                  type="button"
                  onClick={() =>
                    set(
                      by === 'country'
                        ? { country: t.key, region: '' }
                        : { country: t.country, region: t.key },
                    )
                  }
                >
                  <span className="tile-key">{t.key}</span>
                  <span className="tile-sub">
                    {t.nodes} node{t.nodes === 1 ? '' : 's'} · {t.counts.up} up
                    {t.counts.degraded ? ` · ${t.counts.degraded} degraded` : ''}
                    {t.counts.down ? ` · ${t.counts.down} down` : ''}
                    {t.counts.silent ? ` · ${t.counts.silent} silent` : ''}
                  </span>
                  <span className="tile-sub">
                    {fmtMs(t.latency_avg_ms)} avg · {fmtPct(t.packet_loss, 2)} loss
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
