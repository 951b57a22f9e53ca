import type { SampleRow } from '@fiberstack/db';

export interface OutlierOptions {
  /** Latencies kept per series. */
  window: number;
  /** Nothing is flagged until a series has this many latencies. */
  minSamples: number;
  /** Series tracked at most; the least recently seen is forgotten beyond that. */
  maxSeries: number;
}

/** Latency must also exceed the median by this much: sub-millisecond noise is never an outlier. */
const MIN_EXCESS_MS = 10;

export interface OutlierVerdict {
  outlier: boolean;
  median: number;
  threshold: number;
}

/**
 * Per-series rolling latency window (series = node, target, check). A latency is an outlier
 * when it exceeds max(3 × median, median + 6 × MAD, median + 10 ms) of the previous window.
 * Rounds with no successful check (uptime 0) carry no latency and are skipped. Outliers are
 * flagged and stored, never dropped; they enter the window so a lasting shift becomes normal.
 */
export class OutlierDetector {
  readonly #options: OutlierOptions;
  readonly #series = new Map<string, number[]>();

  constructor(options: OutlierOptions) {
    this.#options = options;
  }

  /** Flags the row in place and returns the verdict (null when not judged). */
  observe(row: SampleRow): OutlierVerdict | null {
    if (row.uptime_pct <= 0) return null;
    const key = `${row.node_id}\u0000${row.target}\u0000${row.check}`;
    let window = this.#series.get(key);
    if (window) this.#series.delete(key);
    else window = [];
    this.#series.set(key, window);
    if (this.#series.size > this.#options.maxSeries) {
      const oldest = this.#series.keys().next().value;
      if (oldest !== undefined) this.#series.delete(oldest);
    }
    let verdict: OutlierVerdict | null = null;
    if (window.length >= this.#options.minSamples) {
      const median = medianOf(window);
      const mad = medianOf(window.map((v) => Math.abs(v - median)));
      const threshold = Math.max(3 * median, median + 6 * mad, median + MIN_EXCESS_MS);
      verdict = { outlier: row.latency_ms > threshold, median, threshold };
      row.outlier = verdict.outlier;
    }
    window.push(row.latency_ms);
    if (window.length > this.#options.window) window.shift();
    return verdict;
  }

  get seriesCount(): number {
    return this.#series.size;
  }
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
