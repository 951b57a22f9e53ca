import { useMemo } from 'react';
import type uPlot from 'uplot';
import { Chart } from '../../components/chart.tsx';
import { fmtMs } from '../../lib/format.ts';
import type { TargetSeries } from '../../lib/series.ts';

/**
 * SmokePing-style latency distribution: a light min–max band, a darker p50–p95 band and the
 * average line (rollups); raw data shows the per-sample line, or for long ranges the min–max
 * band and average of every sample per time bucket (so no spike is averaged away).
 */
export function DistributionChart({ series }: { series: TargetSeries }) {
  const banded = series.hasBands;
  const spec = useMemo(() => {
    const [x, avg, min, max, p50, p95] = series.data;
    if (banded && !series.hasPercentiles) {
      return {
        data: [x, max!, min!, avg!] as TargetSeries['data'],
        series: [
          { label: 'max', stroke: 'rgba(37,99,235,0.35)', width: 1, value: fmt },
          { label: 'min', stroke: 'rgba(37,99,235,0.35)', width: 1, value: fmt },
          { label: 'avg', stroke: '#2563eb', width: 1.5, value: fmt },
        ] as uPlot.Series[],
        bands: [{ series: [1, 2], fill: 'rgba(37,99,235,0.18)' }] as uPlot.Band[],
      };
    }
    if (!banded) {
      return {
        data: [x, avg!] as TargetSeries['data'],
        series: [{ label: 'latency', stroke: '#2563eb', width: 1.5, value: fmt }] as uPlot.Series[],
        bands: undefined,
      };
    }
    return {
      data: [x, max!, min!, p95!, p50!, avg!] as TargetSeries['data'],
      series: [
        { label: 'max', stroke: 'rgba(37,99,235,0.35)', width: 1, value: fmt },
        { label: 'min', stroke: 'rgba(37,99,235,0.35)', width: 1, value: fmt },
        { label: 'p95', stroke: 'rgba(217,119,6,0.9)', width: 1, value: fmt },
        { label: 'p50', stroke: 'rgba(5,150,105,0.9)', width: 1, value: fmt },
        { label: 'avg', stroke: '#2563eb', width: 2, value: fmt },
      ] as uPlot.Series[],
      bands: [
        { series: [1, 2], fill: 'rgba(37,99,235,0.12)' },
        { series: [3, 4], fill: 'rgba(217,119,6,0.25)' },
      ] as uPlot.Band[],
    };
  }, [series, banded]);
  return (
    <Chart
      data={spec.data}
      series={spec.series}
      {...(spec.bands ? { bands: spec.bands } : {})}
      yLabel="ms"
      label={`Latency distribution of ${series.key}`}
      testId="latency-chart"
      samples={series.samples}
    />
  );
}

export function LossChart({ series }: { series: TargetSeries }) {
  const data = useMemo(
    () => [series.data[0], series.data[6]!, series.data[7]!] as TargetSeries['data'],
    [series],
  );
  return (
    <Chart
      data={data}
      height={120}
      series={[
        { label: 'loss %', stroke: '#dc2626', fill: 'rgba(220,38,38,0.15)', width: 1, value: pct },
        { label: 'uptime %', stroke: '#059669', width: 1, value: pct },
      ]}
      yLabel="%"
      label={`Packet loss and uptime of ${series.key}`}
    />
  );
}

function fmt(_u: uPlot, v: number | null): string {
  return fmtMs(v);
}
function pct(_u: uPlot, v: number | null): string {
  return v === null || v === undefined ? '–' : `${v.toFixed(2)} %`;
}
