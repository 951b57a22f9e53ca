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
  /** A re-read started before the TTL ended (see REFRESH_AHEAD). */
  refreshing?: boolean;
}

/**
 * A key looked up after this share of its TTL is re-read in the background while the cached
 * row answers, so a key in use never expires and no push waits for the database (before, every
 * key of an API expired in the same second every TTL and each push in it waited for a read).
 */
const REFRESH_AHEAD = 0.8;

/**
 * Per-process cache of probe key rows. Every push authenticates; without it each push costs a
 * database round trip, and a PostgreSQL outage stops intake although the queue (Redis) is up.
 * Only found keys are cached. A key revoked on another replica stops working within ttlMs: no
 * row is served older than that, and keys in use are re-read before it (REFRESH_AHEAD).
 */
export function createKeyCache(db: Db, options: KeyCacheOptions): KeyCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const store = (prefix: string, row: ApiKeyRow | null, at: number) => {
    entries.delete(prefix);
    if (!row) return;
    entries.set(prefix, { row, at });
    if (entries.size > options.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  };
  const refresh = (prefix: string, entry: Entry, at: number) => {
    entry.refreshing = true;
    findApiKeyByPrefix(db, prefix).then(
      (row) => {
        // Only if no newer read replaced the entry meanwhile.
        if (entries.get(prefix) === entry) store(prefix, row, at);
      },
      () => {
        // Unreachable: no second try before the TTL ends (a push each millisecond would each
        // start one); then the next lookup reads, or serves the row stale, as without refresh.
      },
    );
  };
  return {
    async lookup(prefix) {
      const cached = entries.get(prefix);
      const t = now();
      if (cached && t - cached.at < options.ttlMs) {
        if (!cached.refreshing && t - cached.at >= options.ttlMs * REFRESH_AHEAD) refresh(prefix, cached, t);
        return { row: cached.row, stale: false };
      }
      let row: ApiKeyRow | null;
      try {
        row = await findApiKeyByPrefix(db, prefix);
      } catch (err) {
        if (cached && t - cached.at < options.staleIfErrorMs) return { row: cached.row, stale: true };
        throw err;
      }
      store(prefix, row, t);
      return { row, stale: false };
    },
    clear: () => entries.clear(),
  };
}
