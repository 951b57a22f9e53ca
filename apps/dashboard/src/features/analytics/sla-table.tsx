import type { GroupKind, GroupStats } from '@fiberstack/contracts';
import { useId } from 'react';
import { toCsv } from '../../lib/csv.ts';
import { fmtCount, fmtMs, fmtPct } from '../../lib/format.ts';

const HEADER = [
  'key',
  'country',
  'nodes',
  'samples',
  'latency_avg_ms',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_max_ms',
  'uptime_pct',
  'packet_loss',
  'sla_met',
];

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function SlaTable(props: {
  stats: GroupStats[];
  group: GroupKind;
  sla: number;
  onSla: (v: number) => void;
  range: string;
}) {
  const { stats, group, sla } = props;
  const id = useId();
  const met = (s: GroupStats) => s.uptime_pct !== null && s.uptime_pct >= sla;
  const csv = () =>
    toCsv(
      HEADER,
      stats.map((s) => [
        s.key,
        s.country,
        s.nodes,
        s.samples,
        s.latency_avg_ms,
        s.latency_p50_ms,
        s.latency_p95_ms,
        s.latency_max_ms,
        s.uptime_pct,
        s.packet_loss,
        met(s),
      ]),
    );
  return (
    <>
      <div className="page-head">
        <h2>Percentiles and SLA by {group}</h2>
        <div className="filters">
          <label htmlFor={id}>
            SLA uptime target %
            <input
              id={id}
              type="number"
              min={0}
              max={100}
              step={0.1}
              value={sla}
              onChange={(e) => props.onSla(Number(e.target.value))}
            />
          </label>
          <button
            type="button"
            className="btn"
            onClick={() => download(`fiberstack-${group}-${props.range}.csv`, csv())}
            data-testid="csv"
          >
            Export CSV
          </button>
        </div>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="sla-table">
          <thead>
            <tr>
              <th scope="col">{group}</th>
              <th scope="col" className="num">
                Nodes
              </th>
              <th scope="col" className="num">
                Samples
              </th>
              <th scope="col" className="num">
                Avg
              </th>
              <th scope="col" className="num">
                p50
              </th>
              <th scope="col" className="num">
                p95
              </th>
              <th scope="col" className="num">
                Max
              </th>
              <th scope="col" className="num">
                Uptime
              </th>
              <th scope="col" className="num">
                Loss
              </th>
              <th scope="col">SLA</th>
            </tr>
          </thead>
          <tbody>
            {stats.map((s) => (
              <tr key={s.key}>
                <th scope="row">{s.key}</th>
                <td className="num">{s.nodes}</td>
                <td className="num">{fmtCount(s.samples)}</td>
                <td className="num">{fmtMs(s.latency_avg_ms)}</td>
                <td className="num">{fmtMs(s.latency_p50_ms)}</td>
                <td className="num">{fmtMs(s.latency_p95_ms)}</td>
                <td className="num">{fmtMs(s.latency_max_ms)}</td>
                <td className="num">{fmtPct(s.uptime_pct, 3)}</td>
                <td className="num">{fmtPct(s.packet_loss)}</td>
                <td>
                  {met(s) ? (
                    <span className="badge badge-up">met</span>
                  ) : (
                    <span className="badge badge-down">missed</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
