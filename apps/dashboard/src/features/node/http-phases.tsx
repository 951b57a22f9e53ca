import type { HttpPhasePoint } from '@fiberstack/contracts';
import { useMemo } from 'react';
import { Chart } from '../../components/chart.tsx';
import { Empty } from '../../components/states.tsx';
import { fmtMs } from '../../lib/format.ts';
import { averagePhases, phaseColumns } from '../../lib/series.ts';

const PHASES = [
  ['dns_ms', 'DNS', '#7c3aed'],
  ['connect_ms', 'Connect', '#0891b2'],
  ['tls_ms', 'TLS', '#d97706'],
  ['ttfb_ms', 'First byte', '#059669'],
] as const;

/** Average phase waterfall as a stacked bar, then each phase over time. */
export function HttpPhases({ points }: { points: HttpPhasePoint[] }) {
  const data = useMemo(() => phaseColumns(points), [points]);
  if (points.length === 0) return <Empty>No HTTP checks in this range.</Empty>;
  const avg = averagePhases(points);
  const total = PHASES.reduce((s, [k]) => s + (avg[k] ?? 0), 0) || 1;
  return (
    <>
      <div className="waterfall" role="img" aria-label="Average HTTP phase timings" data-testid="http-phases">
        {PHASES.map(([k, , color]) => (
          <svg
            key={k}
            className="wf-seg"
            width={`${((avg[k] ?? 0) / total) * 100}%`}
            height="18"
            aria-hidden="true"
          >
            <rect width="100%" height="18" fill={color} />
          </svg>
        ))}
      </div>
      <ul className="legend">
        {PHASES.map(([k, label, color]) => (
          <li key={k}>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={color} />
            </svg>{' '}
            {label} {fmtMs(avg[k])}
          </li>
        ))}
      </ul>
      <Chart
        data={data}
        height={160}
        series={[
          ...PHASES.map(([, label, color]) => ({ label, stroke: color, width: 1 })),
          { label: 'Total', stroke: '#64748b', width: 1.5 },
        ]}
        yLabel="ms"
        label="HTTP phase timings over time"
      />
    </>
  );
}
