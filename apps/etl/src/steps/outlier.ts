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

/** One series' window: latencies in arrival order and the same values kept sorted. */
interface SeriesWindow {
  recent: number[];
  sorted: number[];
}

/**
 * Per-series rolling latency window (series = node, target, check). A latency is an outlier
 * when it exceeds max(3 × median, median + 6 × MAD, median + 10 ms) of the previous window.
 * Rounds with no successful check (uptime 0) carry no latency and are skipped. Outliers are
 * flagged and stored, never dropped; they enter the window so a lasting shift becomes normal.
 * Each window is also kept sorted, so the median is read off and the MAD is found by walking
 * outward from it: O(window) per sample instead of two sorts.
 */
export class OutlierDetector {
  readonly #options: OutlierOptions;
  readonly #series = new Map<string, SeriesWindow>();

  constructor(options: OutlierOptions) {
    this.#options = options;
  }

  /** Flags the row in place and returns the verdict (null when not judged). */
  observe(row: SampleRow): OutlierVerdict | null {
    if (row.uptime_pct <= 0) return null;
    const key = `${row.node_id}\u0000${row.target}\u0000${row.check}`;
    let window = this.#series.get(key);
    if (window) this.#series.delete(key);
    else window = { recent: [], sorted: [] };
    this.#series.set(key, window);
    if (this.#series.size > this.#options.maxSeries) {
      const oldest = this.#series.keys().next().value;
      if (oldest !== undefined) this.#series.delete(oldest);
    }
    const { recent, sorted } = window;
    let verdict: OutlierVerdict | null = null;
    if (recent.length >= this.#options.minSamples) {
      const median = medianOfSorted(sorted);
      const mad = deviationMedian(sorted, median);
      const threshold = Math.max(3 * median, median + 6 * mad, median + MIN_EXCESS_MS);
      verdict = { outlier: row.latency_ms > threshold, median, threshold };
      row.outlier = verdict.outlier;
    }
    recent.push(row.latency_ms);
    sorted.splice(lowerBound(sorted, row.latency_ms), 0, row.latency_ms);
    if (recent.length > this.#options.window) {
      const gone = recent.shift()!;
      sorted.splice(lowerBound(sorted, gone), 1);
    }
    return verdict;
  }

  get seriesCount(): number {
    return this.#series.size;
  }
}

/** First index whose value is ≥ v. */
function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function medianOfSorted(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Median of |v − m| over a sorted array: the deviations grow walking outward from m, so
 * merging the two walks yields them in order; stop at the middle one(s).
 */
function deviationMedian(sorted: readonly number[], m: number): number {
  const n = sorted.length;
  let right = lowerBound(sorted, m);
  let left = right - 1;
  const want = n >> 1;
  let prev = 0;
  for (let taken = 0; ; taken++) {
    const dl = left >= 0 ? m - sorted[left]! : Number.POSITIVE_INFINITY;
    const dr = right < n ? sorted[right]! - m : Number.POSITIVE_INFINITY;
    const d = Math.min(dl, dr);
    if (dl <= dr) left--;
    else right++;
    if (taken === want) return n % 2 === 1 ? d : (prev + d) / 2;
    prev = d;
  }
}
