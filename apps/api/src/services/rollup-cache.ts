import type { Db } from '@fiberstack/db';
import { readRollupGeneration } from '@fiberstack/db';
import { LRUCache } from 'lru-cache';

export interface RollupCacheOptions {
  /** Most bytes of answer text kept (UTF-16 code units, about bytes for this JSON); 0 disables. */
  maxBytes: number;
  /** How long a read generation is trusted before it is read again, ms. */
  checkMs: number;
  /**
   * An answer whose computation took at least this long (ms, default 100) is still served for
   * up to `staleMs` after the rollups changed, while it is computed again in the background;
   * cheaper answers are computed again at once.
   */
  slowMs?: number;
  /** How long after a change a slow answer may still be served (ms, default 60,000). */
  staleMs?: number;
  now?: () => number;
}

export interface RollupCache {
  /**
   * The answer filed under `key` while the rollups' generation is the one it was computed
   * under; otherwise `load()`, kept for the next caller. Concurrent misses of one key share
   * one load. A failing load is not kept.
   */
  get(key: string, load: () => Promise<string>): Promise<string>;
  /**
   * Answers served from the cache, served while being computed again (stale) and loaded since
   * the start; size of the kept answers.
   */
  readonly stats: { hits: number; misses: number; stale: number; readonly bytes: number };
}

interface Kept {
  text: string;
  /** The rollup generation it was computed under. */
  generation: string;
  /** How long computing it took, ms. */
  costMs: number;
}

/**
 * Answers computed only from the hourly and daily rollups (a node's 7-day hourly series,
 * per-country aggregates over a custom range), kept per API process. The rollups change once a
 * refresh commits, and each change raises rollup_generation in the same transaction; this cache
 * reads the generation at most once per `checkMs`; an answer of an older generation is computed
 * again. An answer is therefore at most `checkMs` older than the rollups it comes from, which
 * themselves lag the raw samples by the refresh interval (a minute) — except a slow one (a
 * week of hourly rollups per country for 1,000 nodes takes about a second): for `staleMs` after
 * a change the answer of the generation before is served while one background load computes the
 * new one, so one refresh's worth of rollups (a minute) is the most it lags, and no reader waits
 * a second once a minute for the first request after each refresh.
 */
export function createRollupCache(db: Db, options: RollupCacheOptions): RollupCache {
  const now = options.now ?? Date.now;
  const slowMs = options.slowMs ?? 100;
  const staleMs = options.staleMs ?? 60_000;
  const stats = { hits: 0, misses: 0, stale: 0, bytes: 0 };
  if (options.maxBytes <= 0) {
    return {
      get: (_key, load) => {
        stats.misses += 1;
        return load();
      },
      stats,
    };
  }
  const answers = new LRUCache<string, Kept>({
    maxSize: options.maxBytes,
    sizeCalculation: (kept, key) => Math.max(1, kept.text.length + key.length),
  });
  /** Loads in flight, by key, with the generation they started under. */
  const loading = new Map<string, { generation: string; text: Promise<string> }>();
  let generation: string | undefined;
  /** The generation before the current one, and when the change was seen. */
  let previous: string | undefined;
  let changedAt = Number.NEGATIVE_INFINITY;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let checking: Promise<string> | undefined;

  /** The current generation; reads it again when the last read is older than checkMs. */
  const current = (): Promise<string> | string => {
    if (generation !== undefined && now() - checkedAt < options.checkMs) return generation;
    checking ??= (async () => {
      const startedAt = now();
      try {
        const g = await readRollupGeneration(db);
        if (g !== generation) {
          previous = generation;
          changedAt = startedAt;
        }
        generation = g;
        checkedAt = startedAt;
        return g;
      } finally {
        checking = undefined;
      }
    })();
    return checking;
  };

  /** Computes the answer under generation g (one load per key and generation at a time). */
  const fill = (key: string, load: () => Promise<string>, g: string): Promise<string> => {
    const startedAt = performance.now();
    const text = load();
    loading.set(key, { generation: g, text });
    const kept = text.then((value) => {
      // Kept only when the rollups did not visibly change while it was computed (this answer
      // may predate the change).
      if (generation === g)
        answers.set(key, { text: value, generation: g, costMs: performance.now() - startedAt });
      stats.bytes = answers.calculatedSize;
      return value;
    });
    const done = () => {
      if (loading.get(key)?.text === text) loading.delete(key);
    };
    kept.then(done, done);
    return kept;
  };

  return {
    async get(key, load) {
      const g = await current();
      const kept = answers.get(key);
      if (kept?.generation === g) {
        stats.hits += 1;
        return kept.text;
      }
      const pending = loading.get(key);
      if (
        kept !== undefined &&
        kept.generation === previous &&
        kept.costMs >= slowMs &&
        now() - changedAt < staleMs
      ) {
        stats.stale += 1;
        if (pending?.generation !== g)
          fill(key, load, g).catch(() => {
            // Served stale meanwhile; once staleMs has passed a reader loads it and sees the error.
          });
        return kept.text;
      }
      if (kept !== undefined) answers.delete(key);
      if (pending && pending.generation === g) {
        stats.hits += 1;
        return pending.text;
      }
      stats.misses += 1;
      return fill(key, load, g);
    },
    stats,
  };
}

const UNIT_MS = { hourly: 3_600_000, daily: 86_400_000 } as const;

/**
 * A cache key for an answer over the rollup buckets in [start, end). Buckets start on whole
 * hours (days, UTC), so `bucket >= start AND bucket < end` selects the same buckets as the
 * range rounded up to the next bucket boundary on both ends: the dashboard's refetches with a
 * moving `now` share one entry until the hour (day) turns.
 */
export function rollupKey(
  what: string,
  aggregation: keyof typeof UNIT_MS,
  start: Date,
  end: Date,
  parts: readonly (string | number)[],
): string {
  const unit = UNIT_MS[aggregation];
  const up = (d: Date) => Math.ceil(d.getTime() / unit) * unit;
  return JSON.stringify([what, aggregation, up(start), up(end), ...parts]);
}
