/**
 * Capped exponential backoff with bounded jitter: attempt n waits a uniform time in
 * [0.85·d, d] where d = min(cap, base·2ⁿ). Unlike "full jitter" (uniform in [0, d]) the
 * waits never shrink by more than 15 % from one attempt to the next, yet probes that lost
 * the API together still spread out; and the cap keeps an outage's retries ≥ cap·0.85 apart.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const d = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 40));
    this.attempt++;
    return Math.round(d * (0.85 + 0.15 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Retry-After as seconds or an HTTP date → ms (capped at 1 h); undefined when absent/invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(3_600_000, Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(3_600_000, Math.max(0, at - now));
}
