import type { HttpPhasePoint, MetricPoint, SeriesPoint } from '@fiberstack/contracts';

/** uPlot's columnar data: x (seconds) first, then one array per series. */
export type Columns = [number[], ...(number | null)[][]];

export interface TargetSeries {
  /** "icmp 1.1.1.1" */
  key: string;
  check: string;
  target: string;
  /** time, avg, min, max, p50, p95, loss, uptime */
  data: Columns;
  hasBands: boolean;
  /** Whether p50/p95 are known (rollups) — bucketed raw data has only min/avg/max. */
  hasPercentiles: boolean;
  /** Samples behind the points (a bucket counts all of its samples). */
  samples: number;
}

/** Splits a node's points per (check, target) into columns for the distribution chart. */
export function byTarget(points: readonly MetricPoint[]): TargetSeries[] {
  const groups = new Map<string, MetricPoint[]>();
  for (const p of points) {
    const key = `${p.check ?? ''} ${p.target ?? ''}`.trim();
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.entries()].map(([key, list]) => {
    const cols: Columns = [[], [], [], [], [], [], [], []];
    for (const p of list) {
      cols[0].push(Date.parse(p.time) / 1000);
      cols[1]!.push(p.latency_ms);
      cols[2]!.push(p.latency_min_ms ?? null);
      cols[3]!.push(p.latency_max_ms ?? null);
      cols[4]!.push(p.latency_p50_ms ?? null);
      cols[5]!.push(p.latency_p95_ms ?? null);
      cols[6]!.push(p.packet_loss);
      cols[7]!.push(p.uptime_pct);
    }
    return {
      key,
      check: list[0]?.check ?? '',
      target: list[0]?.target ?? '',
      data: breakGaps(cols),
      hasBands: list.some((p) => p.latency_max_ms !== undefined && p.latency_max_ms !== null),
      hasPercentiles: list.some((p) => p.latency_p95_ms !== undefined && p.latency_p95_ms !== null),
      samples: list.reduce((n, p) => n + (p.samples ?? 1), 0),
    };
  });
}

/**
 * Inserts an empty point where the data has a hole (a probe silent, a node down): a step longer
 * than three times the usual one. uPlot then breaks the line there instead of drawing a straight
 * line across the hour nobody measured.
 */
export function breakGaps(cols: Columns): Columns {
  const x = cols[0];
  const n = x.length;
  if (n < 3) return cols;
  const steps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) steps[i - 1] = (x[i] as number) - (x[i - 1] as number);
  const usual = steps.slice().sort()[Math.floor((n - 1) / 2)] as number;
  if (!(usual > 0)) return cols;
  const gaps: number[] = [];
  for (let i = 1; i < n; i++) if ((steps[i - 1] as number) > 3 * usual) gaps.push(i);
  if (gaps.length === 0) return cols;
  // Copy each column once, with a null point inserted before every index in gaps.
  const widen = <T>(col: T[], fill: (i: number) => T): T[] => {
    const out = new Array<T>(n + gaps.length);
    let from = 0;
    let to = 0;
    for (const g of gaps) {
      while (from < g) out[to++] = col[from++] as T;
      out[to++] = fill(g);
    }
    while (from < n) out[to++] = col[from++] as T;
    return out;
  };
  return [
    widen(x, (g) => (x[g - 1] as number) + usual),
    ...cols.slice(1).map((col) => widen(col, () => null)),
  ] as Columns;
}

export function phaseColumns(points: readonly HttpPhasePoint[]): Columns {
  const cols: Columns = [[], [], [], [], [], []];
  for (const p of points) {
    cols[0].push(Date.parse(p.time) / 1000);
    cols[1]!.push(p.dns_ms);
    cols[2]!.push(p.connect_ms);
    cols[3]!.push(p.tls_ms);
    cols[4]!.push(p.ttfb_ms);
    cols[5]!.push(p.total_ms);
  }
  return cols;
}

export function averagePhases(points: readonly HttpPhasePoint[]) {
  const avg = (pick: (p: HttpPhasePoint) => number | null) => {
    const vals = points.map(pick).filter((v): v is number => v !== null);
    return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
  };
  return {
    dns_ms: avg((p) => p.dns_ms),
    connect_ms: avg((p) => p.connect_ms),
    tls_ms: avg((p) => p.tls_ms),
    ttfb_ms: avg((p) => p.ttfb_ms),
  };
}

export type Metric = 'latency' | 'p95' | 'loss' | 'uptime';

function pick(p: SeriesPoint | MetricPoint, metric: Metric): number | null {
  if ('latency_avg_ms' in p) {
    if (metric === 'latency') return p.latency_avg_ms;
    if (metric === 'p95') return p.latency_p95_ms;
  } else {
    if (metric === 'latency') return p.latency_ms;
    if (metric === 'p95') return p.latency_p95_ms ?? null;
  }
  return metric === 'loss' ? p.packet_loss : p.uptime_pct;
}

/**
 * Aligns several series on one time axis (union of their times) for a comparison chart; a series
 * without a point at a time gets null there (a gap).
 */
export function align(
  series: readonly { points: readonly (SeriesPoint | MetricPoint)[] }[],
  metric: Metric,
): Columns {
  const times = new Set<number>();
  for (const s of series) for (const p of s.points) times.add(Date.parse(p.time) / 1000);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const cols: Columns = [xs];
  for (const s of series) {
    const col = new Array<number | null>(xs.length).fill(null);
    for (const p of s.points) {
      const i = index.get(Date.parse(p.time) / 1000)!;
      const v = pick(p, metric);
      // Several targets at one time (node series): keep their mean.
      col[i] = col[i] === null || v === null ? (v ?? col[i]!) : (col[i]! + v) / 2;
    }
    cols.push(col);
  }
  return cols;
}
