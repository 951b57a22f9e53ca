import type { Db } from '@fiberstack/db';
import { type ApiKeyRow, findApiKeyByPrefix } from '@fiberstack/db';

export interface KeyCacheOptions {
  /** How long a looked-up key is trusted before the database is asked again. */
  ttlMs: number;
  /** While the database is unreachable, a key verified within this long keeps working. */
  staleIfErrorMs: number;
  /** Most keys kept; the oldest lookups are dropped first. */
  maxEntries: number;
  now?: () => number;
}

export interface KeyLookup {
  row: ApiKeyRow | null;
  /** The database could not be asked; row is the last verified copy. */
  stale: boolean;
}

export interface KeyCache {
  /** The key row for a prefix; throws only when the database is down and no copy is recent enough. */
  lookup(prefix: string): Promise<KeyLookup>;
  /** Forgets every entry (a key was revoked on this replica: effective at once here). */
  clear(): void;
}

interface Entry {
  row: ApiKeyRow;
  at: number;
}

/**
 * Per-process cache of probe key rows. Every push authenticates; without it each push costs a
 * database round trip, and a PostgreSQL outage stops intake although the queue (Redis) is up.
 * Only found keys are cached. A key revoked on another replica stops working within ttlMs.
 */
export function createKeyCache(db: Db, options: KeyCacheOptions): KeyCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  return {
    async lookup(prefix) {
      const cached = entries.get(prefix);
      const t = now();
      if (cached && t - cached.at < options.ttlMs) return { row: cached.row, stale: false };
      let row: ApiKeyRow | null;
      try {
        row = await findApiKeyByPrefix(db, prefix);
      } catch (err) {
        if (cached && t - cached.at < options.staleIfErrorMs) return { row: cached.row, stale: true };
        throw err;
      }
      entries.delete(prefix);
      if (row) {
        entries.set(prefix, { row, at: t });
        if (entries.size > options.maxEntries) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
      }
      return { row, stale: false };
    },
    clear: () => entries.clear(),
  };
}
