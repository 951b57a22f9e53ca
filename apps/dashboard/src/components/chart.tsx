import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Columns } from '../lib/series.ts';

export interface ChartProps {
  data: Columns;
  series: uPlot.Series[];
  bands?: uPlot.Band[];
  height?: number;
  label: string;
  yLabel?: string;
  testId?: string;
  /** How many samples the points stand for (bucketed data), exposed as data-samples. */
  samples?: number;
}

/** Height of uPlot's legend row under the plot: the box keeps its size before the chart is built. */
const LEGEND_PX = 30;
const MARGIN_PX = 200;

function nearViewport(el: HTMLElement): boolean {
  const r = el.getBoundingClientRect();
  return r.top < window.innerHeight + MARGIN_PX && r.bottom > -MARGIN_PX;
}

/** Calls `fn` once, when `el` comes within MARGIN_PX of the viewport or the page is idle. */
function whenNearOrIdle(el: HTMLElement, fn: () => void): () => void {
  const io = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) fn();
    },
    { rootMargin: `${MARGIN_PX}px` },
  );
  io.observe(el);
  const idle = requestIdleCallback(fn, { timeout: 1000 });
  return () => {
    io.disconnect();
    cancelIdleCallback(idle);
  };
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * uPlot in a resizable box: canvas rendering keeps a week of minute data across many series fast.
 * The chart is rebuilt when series change, and only fed new data otherwise.
 */
export function Chart({ data, series, bands, height = 240, label, yLabel, testId, samples }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The data the plot last drew: a new plot draws its data once, not again through setData.
  const drawn = useRef<Columns | null>(null);
  const shape = JSON.stringify(series.map((s) => s.label)) + JSON.stringify(bands?.map((b) => b.series));
  // Set once a chart that was off screen comes into view or the page goes idle (see below).
  const [woken, wake] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series' shape changes
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // A page of many charts (a node with several targets) builds the ones on screen in the
    // frame their data arrives and the others when scrolled near or when the page is idle,
    // so none is missing when the user scrolls, prints or takes a screenshot.
    if (!woken && !nearViewport(el)) return whenNearOrIdle(el, () => wake(true));
    const axis = {
      stroke: cssVar('--muted'),
      grid: { stroke: cssVar('--grid') },
      ticks: { stroke: cssVar('--grid') },
    };
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height,
      series: [{}, ...series],
      ...(bands ? { bands } : {}),
      scales: { x: { time: true } },
      // Axes and the legend in UTC, as every list and event time in the dashboard.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      axes: [
        { ...axis, label: 'UTC', labelSize: 14 },
        { ...axis, label: yLabel ?? '', size: 60 },
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    drawn.current = data;
    const ro = new ResizeObserver(() => {
      const width = Math.max(280, el.clientWidth);
      // The first callback reports the size the plot was just built with.
      if (plot.current && plot.current.width !== width) plot.current.setSize({ width, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape, height, woken]);

  useEffect(() => {
    if (!plot.current || drawn.current === data) return;
    plot.current.setData(data as uPlot.AlignedData);
    drawn.current = data;
  }, [data]);

  return (
    <figure
      className="chart"
      aria-label={label}
      data-testid={testId}
      data-points={data[0].length}
      data-samples={samples ?? data[0].length}
    >
      <div ref={box} role="img" aria-label={label} style={{ minHeight: height + LEGEND_PX }} />
    </figure>
  );
}

export const PALETTE = [
  '#2563eb',
  '#d97706',
  '#059669',
  '#db2777',
  '#7c3aed',
  '#0891b2',
  '#65a30d',
  '#dc2626',
];
