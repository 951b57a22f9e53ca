import type { TargetStats } from '@fiberstack/contracts';
import { Empty } from '../../components/states.tsx';
import { fmtCount, fmtMs, fmtPct } from '../../lib/format.ts';

export function TargetTable({ targets }: { targets: TargetStats[] }) {
  if (targets.length === 0) return <Empty>No rolled-up data in this range yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="targets">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Target</th>
            <th scope="col" className="num">
              Avg
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
            <th scope="col" className="num">
              Samples
            </th>
          </tr>
        </thead>
        <tbody>
          {targets.map((t) => (
            <tr key={`${t.check} ${t.target}`}>
              <td>{t.check}</td>
              <td className="mono wrap">{t.target || '(default)'}</td>
              <td className="num">{fmtMs(t.latency_avg_ms)}</td>
              <td className="num">{fmtMs(t.latency_p95_ms)}</td>
              <td className="num">{fmtMs(t.latency_max_ms)}</td>
              <td className="num">{fmtPct(t.uptime_pct, 3)}</td>
              <td className="num">{fmtPct(t.packet_loss)}</td>
              <td className="num">{fmtCount(t.samples)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
