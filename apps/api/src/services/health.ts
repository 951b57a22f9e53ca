import type { Db } from '@fiberstack/db';
import type { Queue } from '@fiberstack/queue';

export interface CheckResult {
  ok: boolean;
  latency_ms?: number;
  error?: string;
}

const PING_TIMEOUT_MS = 2_000;

async function timed(fn: () => Promise<unknown>): Promise<CheckResult> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latency_ms: Math.round((performance.now() - t0) * 100) / 100 };
  } catch (err) {
    // Internals (hosts, URLs) stay in the logs, never in the response.
    return {
      ok: false,
      error: err instanceof Error && err.message === 'timeout' ? 'timeout' : 'unreachable',
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A trivial round trip to the database (the only statement the API issues itself). */
export const pingDb = (db: Db) => timed(() => db.query('SELECT 1'));
export const pingQueue = (queue: Queue) => timed(() => queue.ping());
