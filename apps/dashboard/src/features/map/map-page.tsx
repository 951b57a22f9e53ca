import type { FleetNode } from '@fiberstack/contracts';
import { Link, useSearchParams } from 'react-router';
import { useFleet } from '../../api/hooks.tsx';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { withParams } from '../../lib/filters.ts';
import { filterFleet, STATUS_LABEL, STATUS_ORDER, worstFirst } from '../../lib/fleet.ts';
import { fmtMs, fmtPct } from '../../lib/format.ts';
import { FleetMap } from './fleet-map.tsx';

export function MapPage() {
  const fleet = useFleet();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  if (fleet.isPending) return <Loading what="the map" />;
  if (fleet.isError && !fleet.data)
    return <ErrorState error={fleet.error} onRetry={() => void fleet.refetch()} />;
  const nodes: FleetNode[] = filterFleet(fleet.data!.nodes, { status });
  return (
    <section className="page" aria-labelledby="map-title">
      <div className="page-head">
        <h1 id="map-title">Map</h1>
        <div className="filters">
          <label>
            Status
            <select
              value={status}
              onChange={(e) => setParams(withParams(params, { status: e.target.value }), { replace: true })}
            >
              <option value="">All</option>
              {STATUS_ORDER.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {fleet.data!.nodes.length === 0 ? <Empty>No probes yet.</Empty> : <FleetMap nodes={nodes} />}
      <ul className="map-legend" aria-label="Legend">
        {STATUS_ORDER.map((s) => (
          <li key={s}>
            <StatusBadge status={s} />
          </li>
        ))}
      </ul>
      <section className="card">
        <h2>Probes on the map</h2>
        <ul className="map-list" data-testid="map-list">
          {worstFirst(nodes).map((n) => (
            <li key={n.node_id}>
              <StatusBadge status={n.status} />{' '}
              <Link to={`/nodes/${encodeURIComponent(n.node_id)}`}>{n.node_id}</Link>{' '}
              <span className="muted">
                {n.country} · {n.region} · {fmtMs(n.current.latency_ms)} · {fmtPct(n.current.packet_loss, 1)}{' '}
                loss
              </span>
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
