import type { Db } from '@fiberstack/db';
import { readRollupGeneration } from '@fiberstack/db';
import { LRUCache } from 'lru-cache';

export interface RollupCacheOptions {
  /** Most bytes of answer text kept (UTF-16 code units, about bytes for this JSON); 0 disables. */
  maxBytes: number;
  /** How long a read generation is trusted before it is read again, ms. */
  checkMs: number;
  now?: () => number;
}

export interface RollupCache {
  /**
   * The answer filed under `key` while the rollups' generation is the one it was computed
   * under; otherwise `load()`, kept for the next caller. Concurrent misses of one key share
   * one load. A failing load is not kept.
   */
  get(key: string, load: () => Promise<string>): Promise<string>;
  /** Answers served from the cache and loaded since the start; size of the kept answers. */
  readonly stats: { hits: number; misses: number; readonly bytes: number };
}

/**
 * Answers computed only from the hourly and daily rollups (a node's 7-day hourly series,
 * per-country aggregates over a custom range), kept per API process. The rollups change once a
 * refresh commits, and each change raises rollup_generation in the same transaction; this cache
 * reads the generation at most once per `checkMs` and drops every answer when it moved. An
 * answer is therefore at most `checkMs` older than the rollups it comes from, which themselves
 * lag the raw samples by the refresh interval (a minute).
 */
export function createRollupCache(db: Db, options: RollupCacheOptions): RollupCache {
  const now = options.now ?? Date.now;
  const stats = { hits: 0, misses: 0, bytes: 0 };
  if (options.maxBytes <= 0) {
    return {
      get: (_key, load) => {
        stats.misses += 1;
        return load();
      },
      stats,
    };
  }
  const answers = new LRUCache<string, string>({
    maxSize: options.maxBytes,
    sizeCalculation: (text, key) => Math.max(1, text.length + key.length),
  });
  /** Loads in flight, by key, with the generation they started under. */
  const loading = new Map<string, { generation: string; text: Promise<string> }>();
  let generation: string | undefined;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let checking: Promise<string> | undefined;

  /** The current generation; reads it again when the last read is older than checkMs. */
  const current = (): Promise<string> | string => {
    if (generation !== undefined && now() - checkedAt < options.checkMs) return generation;
    checking ??= (async () => {
      const startedAt = now();
      try {
        const g = await readRollupGeneration(db);
        if (g !== generation) answers.clear();
        stats.bytes = answers.calculatedSize;
        generation = g;
        checkedAt = startedAt;
        return g;
      } finally {
        checking = undefined;
      }
    })();
    return checking;
  };

  return {
    async get(key, load) {
      const g = await current();
      const kept = answers.get(key);
      if (kept !== undefined) {
        stats.hits += 1;
        return kept;
      }
      const pending = loading.get(key);
      if (pending && pending.generation === g) {
        stats.hits += 1;
        return pending.text;
      }
      stats.misses += 1;
      const text = load();
      loading.set(key, { generation: g, text });
      try {
        const value = await text;
        // Kept only when the rollups did not visibly change while it was computed (a change
        // seen meanwhile cleared the cache; this answer may predate it).
        if (generation === g) answers.set(key, value);
        stats.bytes = answers.calculatedSize;
        return value;
      } finally {
        if (loading.get(key)?.text === text) loading.delete(key);
      }
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
